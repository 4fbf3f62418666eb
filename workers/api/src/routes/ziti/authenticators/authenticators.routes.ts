import {
  AnyIdParam,
  AuthenticatorDetail,
  AuthenticatorPatchWithCurrent,
  AuthenticatorUpdateWithCurrent,
  Empty,
  envelopeOf,
  ListQuery,
  listEnvelopeOf,
} from "@fleetgate/contract/ziti";
import { createRoute } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION_OR_TOKEN, zitiAuth } from "../ziti-auth";

const tags = ["Current API Session"];
const auth = { security: ZT_SESSION_OR_TOKEN, middleware: zitiAuth({ apiToken: true }) };

export const listCurrentIdentityAuthenticators = createRoute({
  method: "get",
  path: "/current-identity/authenticators",
  operationId: "listCurrentIdentityAuthenticators",
  tags,
  summary: "List authenticators for the current identity",
  ...auth,
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(listEnvelopeOf(AuthenticatorDetail, "listAuthenticatorsEnvelope"), "A list of authenticators"),
    ...errorResponses(400, 401),
  },
});

export const detailCurrentIdentityAuthenticator = createRoute({
  method: "get",
  path: "/current-identity/authenticators/{id}",
  operationId: "detailCurrentIdentityAuthenticator",
  tags,
  summary: "Retrieve an authenticator for the current identity",
  ...auth,
  request: { params: AnyIdParam },
  responses: {
    200: jsonResponse(envelopeOf(AuthenticatorDetail, "detailAuthenticatorEnvelope"), "A singular authenticator"),
    ...errorResponses(401, 404),
  },
});

export const updateCurrentIdentityAuthenticator = createRoute({
  method: "put",
  path: "/current-identity/authenticators/{id}",
  operationId: "updateCurrentIdentityAuthenticator",
  tags,
  summary: "Update all fields on an authenticator of this identity",
  ...auth,
  request: {
    params: AnyIdParam,
    body: { required: true, content: { "application/json": { schema: AuthenticatorUpdateWithCurrent } } },
  },
  responses: { 200: jsonResponse(Empty, "The authenticator was updated"), ...errorResponses(400, 401, 404, 409, 429) },
});

export const patchCurrentIdentityAuthenticator = createRoute({
  method: "patch",
  path: "/current-identity/authenticators/{id}",
  operationId: "patchCurrentIdentityAuthenticator",
  tags,
  summary: "Update the supplied fields on an authenticator of this identity",
  ...auth,
  request: {
    params: AnyIdParam,
    body: { required: true, content: { "application/json": { schema: AuthenticatorPatchWithCurrent } } },
  },
  responses: { 200: jsonResponse(Empty, "The authenticator was updated"), ...errorResponses(400, 401, 404, 409, 429) },
});
