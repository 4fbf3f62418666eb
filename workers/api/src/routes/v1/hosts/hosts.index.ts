import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./hosts.handlers";
import * as r from "./hosts.routes";

/** Mounted at /hosts. */
export const hostsRouter = routerOf(
  op(r.list, h.list),
  op(r.get, h.get),
  op(r.update, h.update),
  op(r.remove, h.remove),
  op(r.groupsOf, h.groupsOf),
  op(r.addGroup, h.addGroup),
  op(r.removeGroup, h.removeGroup),
  op(r.scripts, h.scripts),
);
