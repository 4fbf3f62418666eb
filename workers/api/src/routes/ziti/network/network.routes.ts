import { createRoute, z } from "@hono/zod-openapi";
import { BaseEntity, envelopeOf, errorResponses, jsonResponse, ListMeta } from "../envelope";
import { ListQuery } from "../pagination";
import { CommonEdgeRouter } from "../services/services.routes";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

export const ControllerDetail = z
  .object({
    ...BaseEntity,
    name: z.string(),
    ctrlAddress: z.string().nullable(),
    certPem: z.string(),
    fingerprint: z.string(),
    isOnline: z.boolean(),
    lastJoinedAt: z.string().openapi({ format: "date-time" }),
    apiAddresses: z.record(z.string(), z.array(z.object({ url: z.string(), version: z.string() }))),
  })
  .openapi("controllerDetail");

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
    200: jsonResponse(
      z.object({ data: z.array(ControllerDetail), meta: ListMeta }).openapi("listControllersEnvelope"),
      "Controllers",
    ),
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
    200: jsonResponse(
      z
        .object({ data: z.array(z.object({ ...BaseEntity, ...CommonEdgeRouter })), meta: ListMeta })
        .openapi("listCurrentIdentityEdgeRoutersEnvelope"),
      "Edge routers",
    ),
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
    200: jsonResponse(
      envelopeOf(
        z.object({ lastChangeAt: z.string().openapi({ format: "date-time" }) }),
        "listCurrentApiSessionServiceUpdatesEnvelope",
      ),
      "Last change",
    ),
    ...errorResponses(401, 429),
  },
});

const processResponse = {
  path: z.string().max(4096).optional(),
  isRunning: z.boolean().optional(),
  hash: z.string().max(256).optional(),
  signerFingerprints: z.array(z.string().max(256)).max(50).optional(),
};
/** `postureResponseCreate`, discriminated by `typeId` (the spec's `x-class`). */
export const PostureResponseCreate = z
  .discriminatedUnion("typeId", [
    z.object({
      typeId: z.literal("OS"),
      id: z.string().min(1).max(64),
      type: z.string().max(64),
      version: z.string().max(128),
      build: z.string().max(128).optional(),
    }),
    z.object({ typeId: z.literal("PROCESS"), id: z.string().min(1).max(64), ...processResponse }),
    z.object({ typeId: z.literal("DOMAIN"), id: z.string().min(1).max(64), domain: z.string().max(253) }),
    z.object({
      typeId: z.literal("MAC"),
      id: z.string().min(1).max(64),
      macAddresses: z.array(z.string().max(64)).max(64),
    }),
    z.object({
      typeId: z.literal("ENDPOINT_STATE"),
      id: z.string().max(64),
      unlocked: z.boolean().optional(),
      woken: z.boolean().optional(),
    }),
  ])
  .openapi("postureResponseCreate");

const PostureResponseEnvelope = envelopeOf(
  z
    .object({
      services: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          postureQueryType: z.string(),
          timeout: z.number().int(),
          timeoutRemaining: z.number().int(),
        }),
      ),
    })
    .openapi("postureResponse"),
  "postureResponseEnvelope",
);

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
    body: { required: true, content: { "application/json": { schema: z.array(PostureResponseCreate).max(100) } } },
  },
  responses: { 200: jsonResponse(PostureResponseEnvelope, "Recorded"), ...errorResponses(400, 401, 404, 429) },
});
