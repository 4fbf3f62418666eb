import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./services.handlers";
import * as r from "./services.routes";

/** GET /services[/{id}[/edge-routers|/terminators]] and the admin-only PUT/PATCH/DELETE /services/{id}. */
export const servicesRouter = routerOf(
  op(r.listServices, h.list),
  op(r.detailService, h.detail),
  op(r.updateService, h.update),
  op(r.patchService, h.patch),
  op(r.deleteService, h.remove),
  op(r.listServiceEdgeRouters, h.edgeRouters),
  op(r.listServiceTerminators, h.terminators),
);
