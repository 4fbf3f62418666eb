import {
  Empty,
  envelopeOf,
  IdParam,
  ListQuery,
  ListSessionsEnvelope,
  SessionCreate,
  SessionDetail,
} from "@fleetgate/contract/ziti";
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

const tags = ["Session"];
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
    200: jsonResponse(ListSessionsEnvelope, "Sessions"),
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
