import { createRouter } from "../../../lib/router";
import * as h from "./services.handlers";
import * as r from "./services.routes";

/** GET /services[/{id}[/edge-routers|/terminators]] and the admin-only PUT/PATCH/DELETE /services/{id}. */
export const servicesRouter = createRouter()
  .openapi(r.listServices, h.list)
  .openapi(r.detailService, h.detail)
  .openapi(r.updateService, h.update)
  .openapi(r.patchService, h.patch)
  .openapi(r.deleteService, h.remove)
  .openapi(r.listServiceEdgeRouters, h.edgeRouters)
  .openapi(r.listServiceTerminators, h.terminators);
