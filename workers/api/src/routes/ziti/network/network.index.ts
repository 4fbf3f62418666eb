import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./network.handlers";
import * as r from "./network.routes";

/** What an SDK polls after login: controllers, its edge routers, service updates, posture responses. */
export const networkRouter = routerOf(
  op(r.listControllers, h.controllers),
  op(r.getCurrentIdentityEdgeRouters, h.identityRouters),
  op(r.listServiceUpdates, h.updates),
  op(r.createPostureResponse, h.postureResponse),
  op(r.createPostureResponseBulk, h.postureResponseBulk),
);
