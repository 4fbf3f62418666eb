import { createRouter } from "../../../lib/router";
import * as h from "./health-checks.handlers";
import * as r from "./health-checks.routes";

/** Mounted at /hosts: a host's checks. */
export const hostChecksRouter = createRouter()
  .openapi(r.listHostChecks, h.listHostChecks)
  .openapi(r.createHostCheck, h.createHostCheck)
  .openapi(r.getHostCheck, h.getHostCheck)
  .openapi(r.updateHostCheck, h.updateHostCheck)
  .openapi(r.deleteHostCheck, h.deleteHostCheck)
  .openapi(r.testHostCheck, h.testHostCheck);

/** Mounted at /health-checks: the reference document's alias paths. */
export const checksRouter = createRouter()
  .openapi(r.listChecks, h.listChecks)
  .openapi(r.createCheck, h.createCheck)
  .openapi(r.getCheck, h.getCheck)
  .openapi(r.updateCheck, h.updateCheck)
  .openapi(r.deleteCheck, h.deleteCheck)
  .openapi(r.testCheck, h.testCheck);
