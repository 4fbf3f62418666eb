import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./reports.handlers";
import * as r from "./reports.routes";

/** Mounted at /status. */
export const statusRouter = routerOf(op(r.fleetStatus, h.fleetStatus), op(r.statusHistory, h.statusHistory));
/** Mounted at /ca. */
export const caHealthRouter = routerOf(op(r.caHealth, h.caHealth));
/** Mounted at /reports. */
export const reportsRouter = routerOf(op(r.report, h.report));
