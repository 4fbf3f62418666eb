import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./health-checks.handlers";
import * as r from "./health-checks.routes";

/** Mounted at /hosts: a host's checks. */
export const hostChecksRouter = routerOf(
  op(r.listHostChecks, h.listHostChecks),
  op(r.createHostCheck, h.createHostCheck),
  op(r.getHostCheck, h.getHostCheck),
  op(r.updateHostCheck, h.updateHostCheck),
  op(r.deleteHostCheck, h.deleteHostCheck),
  op(r.testHostCheck, h.testHostCheck),
);

/** Mounted at /health-checks: the reference document's alias paths. */
export const checksRouter = routerOf(
  op(r.listChecks, h.listChecks),
  op(r.createCheck, h.createCheck),
  op(r.getCheck, h.getCheck),
  op(r.updateCheck, h.updateCheck),
  op(r.deleteCheck, h.deleteCheck),
  op(r.testCheck, h.testCheck),
);
