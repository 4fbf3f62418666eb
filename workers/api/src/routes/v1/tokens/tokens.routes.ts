import {
  ApiToken,
  ApiTokenWithSecret,
  CreateServiceAccountRequest,
  CreateTokenRequest,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  Message,
  ServiceAccount,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const T = "/tokens";
export const listTokens = protectedRoute(T, "self", {
  method: "get",
  path: "",
  tags: ["API tokens"],
  summary: "The caller's API tokens (never the secrets)",
  responses: { 200: json(z.array(ApiToken)), ...errorResponses(401) },
});
export const createToken = protectedRoute(T, "self", {
  method: "post",
  path: "",
  tags: ["API tokens"],
  summary: "Mint a ztlu_ token for the caller (not with an API token; at most 90 days); the secret is shown once",
  request: { body: jsonBody(CreateTokenRequest) },
  responses: { 201: json(ApiTokenWithSecret, "Created"), ...errorResponses(400, 401, 403) },
});
export const deleteToken = protectedRoute(T, "self", {
  method: "delete",
  path: "/{id}",
  tags: ["API tokens"],
  summary: "Delete one of the caller's tokens (admins: any token); effective on the next request",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 404) },
});

const S = "/service-accounts";
export const listSa = protectedRoute(S, "admin", {
  method: "get",
  path: "",
  tags: ["Service accounts"],
  summary: "CI/service accounts",
  responses: { 200: json(z.array(ServiceAccount)), ...errorResponses(401, 403) },
});
export const createSa = protectedRoute(S, "admin", {
  method: "post",
  path: "",
  tags: ["Service accounts"],
  summary: "Create a service account",
  request: { body: jsonBody(CreateServiceAccountRequest) },
  responses: { 201: json(ServiceAccount, "Created"), ...errorResponses(400, 401, 403, 409) },
});
export const deleteSa = protectedRoute(S, "admin", {
  method: "delete",
  path: "/{id}",
  tags: ["Service accounts"],
  summary: "Delete a service account and its tokens",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const createSaToken = protectedRoute(S, "admin", {
  method: "post",
  path: "/{id}/tokens",
  tags: ["Service accounts"],
  summary:
    "Mint a ztls_ token for a service account (not with an API token; at most 90 days); the secret is shown once",
  request: { params: IdParam, body: jsonBody(CreateTokenRequest) },
  responses: { 201: json(ApiTokenWithSecret, "Created"), ...errorResponses(400, 401, 403, 404) },
});
