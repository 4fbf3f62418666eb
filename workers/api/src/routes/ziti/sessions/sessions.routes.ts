import {
  Empty,
  envelopeOf,
  IdParam,
  ListQuery,
  ListSessionsEnvelope,
  SessionCreate,
  SessionDetail,
} from "@fleetgate/contract/ziti";
import { errorResponses, jsonResponse } from "../envelope";
import { sessionRoutes } from "../ziti-route";

const route = sessionRoutes(["Session"]);

export const listSessions = route({
  method: "get",
  path: "/sessions",
  operationId: "listSessions",
  summary: "The sessions of the current API session",
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(ListSessionsEnvelope, "Sessions"),
    ...errorResponses(400, 401, 429),
  },
});

export const createSession = route({
  method: "post",
  path: "/sessions",
  operationId: "createSession",
  summary: "Open a Dial or Bind session: token and the edge routers to connect to",
  request: { body: { required: true, content: { "application/json": { schema: SessionCreate } } } },
  responses: {
    201: jsonResponse(envelopeOf(SessionDetail, "sessionCreateEnvelope"), "Created"),
    ...errorResponses(400, 401, 404, 409, 429),
  },
});

export const detailSession = route({
  method: "get",
  path: "/sessions/{id}",
  operationId: "detailSession",
  summary: "One own session",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(envelopeOf(SessionDetail, "detailSessionEnvelope"), "A session"),
    ...errorResponses(401, 404),
  },
});

export const deleteSession = route({
  method: "delete",
  path: "/sessions/{id}",
  operationId: "deleteSession",
  summary: "End one own session",
  request: { params: IdParam },
  responses: { 200: jsonResponse(Empty, "Deleted"), ...errorResponses(400, 401, 404, 429) },
});
