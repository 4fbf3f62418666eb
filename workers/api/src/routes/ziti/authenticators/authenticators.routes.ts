import { createRoute, z } from "@hono/zod-openapi";
import {
  BaseEntity,
  Empty,
  EntityRef,
  envelopeOf,
  errorResponses,
  jsonResponse,
  listEnvelopeOf,
  Tags,
} from "../envelope";
import { ListQuery } from "../pagination";
import { ZT_SESSION_OR_TOKEN, zitiAuth } from "../ziti-auth";

export const AuthenticatorDetail = z
  .object({
    ...BaseEntity,
    method: z.string(),
    username: z.string().optional(),
    fingerprint: z.string().optional(),
    certPem: z.string().optional(),
    isIssuedByNetwork: z.boolean(),
    identityId: z.string(),
    identity: EntityRef,
  })
  .openapi("authenticatorDetail");

const username = z.string().min(4).max(100);
const password = z.string().min(5).max(100);

/** `authenticatorUpdateWithCurrent` (PUT): username and password are both required. */
export const AuthenticatorUpdateWithCurrent = z
  .object({ username, password, currentPassword: password, tags: Tags.optional() })
  .openapi("authenticatorUpdateWithCurrent");

/** `authenticatorPatchWithCurrent` (PATCH): only currentPassword is required. */
export const AuthenticatorPatchWithCurrent = z
  .object({
    username: username.nullish(),
    password: password.nullish(),
    currentPassword: password,
    tags: Tags.optional(),
  })
  .openapi("authenticatorPatchWithCurrent");

const tags = ["Current API Session"];
const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
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
  request: { params: IdParam },
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
    params: IdParam,
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
    params: IdParam,
    body: { required: true, content: { "application/json": { schema: AuthenticatorPatchWithCurrent } } },
  },
  responses: { 200: jsonResponse(Empty, "The authenticator was updated"), ...errorResponses(400, 401, 404, 409, 429) },
});
