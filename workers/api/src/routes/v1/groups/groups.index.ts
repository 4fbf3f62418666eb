import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./groups.handlers";
import * as r from "./groups.routes";

/** Mounted at /groups. */
export const groupsRouter = routerOf(
  op(r.list, h.list),
  op(r.create, h.create),
  op(r.get, h.get),
  op(r.update, h.update),
  op(r.remove, h.remove),
  op(r.addMember, h.addMember),
  op(r.removeMember, h.removeMember),
);
