import { createRouter } from "../../../lib/router";
import * as h from "./reports.handlers";
import * as r from "./reports.routes";

/** Mounted at /status. */
export const statusRouter = createRouter()
  .openapi(r.fleetStatus, h.fleetStatus)
  .openapi(r.statusHistory, h.statusHistory);
/** Mounted at /ca. */
export const caHealthRouter = createRouter().openapi(r.caHealth, h.caHealth);
/** Mounted at /reports. */
export const reportsRouter = createRouter().openapi(r.report, h.report);
