import {
  ListControllersEnvelope,
  ListCurrentIdentityEdgeRoutersEnvelope,
  ListQuery,
  PostureResponseBulk,
  PostureResponseCreate,
  PostureResponseEnvelope,
  ServiceUpdatesEnvelope,
} from "@fleetgate/contract/ziti";
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

export const listControllers = createRoute({
  method: "get",
  path: "/controllers",
  operationId: "listControllers",
  tags: ["Informational"],
  summary: "The controllers of this network: this deployment",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(ListControllersEnvelope, "Controllers"),
    ...errorResponses(400, 401, 429),
  },
});

export const getCurrentIdentityEdgeRouters = createRoute({
  method: "get",
  path: "/current-identity/edge-routers",
  operationId: "getCurrentIdentityEdgeRouters",
  tags: ["Current Identity"],
  summary: "Edge routers the identity may connect to (edge-router policies)",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  responses: {
    200: jsonResponse(ListCurrentIdentityEdgeRoutersEnvelope, "Edge routers"),
    ...errorResponses(401, 429),
  },
});

export const listServiceUpdates = createRoute({
  method: "get",
  path: "/current-api-session/service-updates",
  operationId: "listServiceUpdates",
  tags: ["Current API Session"],
  summary: "When this identity's service list or posture results last changed",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  responses: {
    200: jsonResponse(ServiceUpdatesEnvelope, "Last change"),
    ...errorResponses(401, 429),
  },
});

export const createPostureResponse = createRoute({
  method: "post",
  path: "/posture-response",
  operationId: "createPostureResponse",
  tags: ["Posture Checks"],
  summary: "Report one posture response for this API session",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { body: { required: true, content: { "application/json": { schema: PostureResponseCreate } } } },
  responses: { 201: jsonResponse(PostureResponseEnvelope, "Recorded"), ...errorResponses(400, 401, 404, 429) },
});

export const createPostureResponseBulk = createRoute({
  method: "post",
  path: "/posture-response-bulk",
  operationId: "createPostureResponseBulk",
  tags: ["Posture Checks"],
  summary: "Report several posture responses for this API session",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: {
    body: { required: true, content: { "application/json": { schema: PostureResponseBulk } } },
  },
  responses: { 200: jsonResponse(PostureResponseEnvelope, "Recorded"), ...errorResponses(400, 401, 404, 429) },
});
