import {
  CreateTokenIssuerRequest,
  ErrorBody,
  ExplainReport,
  ExplainRequest,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  Message,
  PatchTokenIssuerRequest,
  ReplaceTokenIssuerRequest,
  TokenIssuer,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Token issuers"];
const P = "/token-issuers";

const conflict = { 409: { description: "Name taken", content: { "application/json": { schema: ErrorBody } } } };

export const list = protectedRoute(P, "admin", {
  method: "get",
  path: "",
  tags,
  summary: "OIDC issuers whose JWTs CI jobs exchange for ztls_ tokens",
  responses: { 200: json(z.array(TokenIssuer)), ...errorResponses(401, 403) },
});
export const create = protectedRoute(P, "admin", {
  method: "post",
  path: "",
  tags,
  summary: "Add a token issuer (its discovery document must be reachable)",
  request: { body: jsonBody(CreateTokenIssuerRequest) },
  responses: { 201: json(TokenIssuer, "Created"), ...errorResponses(400, 401, 403, 415), ...conflict },
});
export const get = protectedRoute(P, "admin", {
  method: "get",
  path: "/{id}",
  tags,
  summary: "One token issuer",
  request: { params: IdParam },
  responses: { 200: json(TokenIssuer), ...errorResponses(400, 401, 403, 404) },
});
export const replace = protectedRoute(P, "admin", {
  method: "put",
  path: "/{id}",
  tags,
  summary: "Replace a token issuer",
  request: { params: IdParam, body: jsonBody(ReplaceTokenIssuerRequest) },
  responses: { 200: json(TokenIssuer), ...errorResponses(400, 401, 403, 404, 415), ...conflict },
});
export const patch = protectedRoute(P, "admin", {
  method: "patch",
  path: "/{id}",
  tags,
  summary: "Change some fields of a token issuer",
  request: { params: IdParam, body: jsonBody(PatchTokenIssuerRequest) },
  responses: { 200: json(TokenIssuer), ...errorResponses(400, 401, 403, 404, 415), ...conflict },
});
export const remove = protectedRoute(P, "admin", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Delete a token issuer (tokens it minted keep working until they expire)",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const explain = protectedRoute(P, "admin", {
  method: "post",
  path: "/{id}/explain",
  tags,
  summary: "Run every exchange check on a JWT without minting, and report each one",
  request: { params: IdParam, body: jsonBody(ExplainRequest) },
  responses: { 200: json(ExplainReport), ...errorResponses(400, 401, 403, 404, 415) },
});
