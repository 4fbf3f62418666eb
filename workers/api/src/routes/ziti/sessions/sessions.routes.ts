import { createRoute, z } from "@hono/zod-openapi";
import { BaseEntity, Empty, EntityRef, envelopeOf, errorResponses, jsonResponse, ListMeta, Tags } from "../envelope";
import { ListQuery } from "../pagination";
import { CommonEdgeRouter } from "../services/services.routes";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

const tags = ["Session"];
const DialBind = z.enum(["Dial", "Bind"]);

export const SessionDetail = z
  .object({
    ...BaseEntity,
    type: DialBind,
    apiSessionId: z.string(),
    apiSession: EntityRef,
    serviceId: z.string(),
    service: EntityRef,
    identityId: z.string(),
    token: z.string(),
    edgeRouters: z.array(
      z.object({ ...CommonEdgeRouter, urls: z.record(z.string(), z.string()) }).openapi("sessionEdgeRouter"),
    ),
  })
  .openapi("sessionDetail");

export const SessionCreate = z
  .object({ serviceId: z.string().min(1).max(64), type: DialBind.default("Dial"), tags: Tags.optional() })
  .openapi("sessionCreate");
const IdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const listSessions = createRoute({
  method: "get",
  path: "/sessions",
  operationId: "listSessions",
  tags,
  summary: "The sessions of the current API session",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(SessionDetail), meta: ListMeta }).openapi("listSessionsEnvelope"),
      "Sessions",
    ),
    ...errorResponses(400, 401, 429),
  },
});

export const createSession = createRoute({
  method: "post",
  path: "/sessions",
  operationId: "createSession",
  tags,
  summary: "Open a Dial or Bind session: token and the edge routers to connect to",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { body: { required: true, content: { "application/json": { schema: SessionCreate } } } },
  responses: {
    201: jsonResponse(envelopeOf(SessionDetail, "sessionCreateEnvelope"), "Created"),
    ...errorResponses(400, 401, 404, 409, 429),
  },
});

export const detailSession = createRoute({
  method: "get",
  path: "/sessions/{id}",
  operationId: "detailSession",
  tags,
  summary: "One own session",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { params: IdParam },
  responses: {
    200: jsonResponse(envelopeOf(SessionDetail, "detailSessionEnvelope"), "A session"),
    ...errorResponses(401, 404),
  },
});

export const deleteSession = createRoute({
  method: "delete",
  path: "/sessions/{id}",
  operationId: "deleteSession",
  tags,
  summary: "End one own session",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Empty, "Deleted"), ...errorResponses(400, 401, 404, 429) },
});
