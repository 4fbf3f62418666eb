import { createRouter } from "../../../lib/router";
import * as h from "./network.handlers";
import * as r from "./network.routes";

/** What an SDK polls after login: controllers, its edge routers, service updates, posture responses. */
export const networkRouter = createRouter()
  .openapi(r.listControllers, h.controllers)
  .openapi(r.getCurrentIdentityEdgeRouters, h.identityRouters)
  .openapi(r.listServiceUpdates, h.updates)
  .openapi(r.createPostureResponse, h.postureResponse)
  .openapi(r.createPostureResponseBulk, h.postureResponseBulk);
