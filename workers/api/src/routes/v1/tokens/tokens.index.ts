import {
  ApiToken,
  ApiTokenWithSecret,
  CreateServiceAccountRequest,
  CreateTokenRequest,
  errorResponses,
  IdParam,
  iso,
  isoOrNull,
  json,
  jsonBody,
  Message,
  ServiceAccount,
} from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { z } from "@hono/zod-openapi";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { currentIdentity } from "../current";
import { protectedRoute } from "../route";

const tokenBody = (t: svc.ApiTokenView) => ({
  id: t.id,
  name: t.name,
  expires_at: isoOrNull(t.expiresAt),
  last_used_at: isoOrNull(t.lastUsedAt),
  created_at: iso(t.createdAt),
});
const saBody = (s: svc.ServiceAccountView) => ({
  id: s.id,
  name: s.name,
  description: s.description,
  role: s.role,
  is_active: s.isActive,
  created_at: iso(s.createdAt),
  updated_at: iso(s.updatedAt),
});

const T = "/tokens";
const listTokens = protectedRoute(T, "self", {
  method: "get",
  path: "",
  tags: ["API tokens"],
  summary: "The caller's API tokens (never the secrets)",
  responses: { 200: json(z.array(ApiToken)), ...errorResponses(401) },
});
const createToken = protectedRoute(T, "self", {
  method: "post",
  path: "",
  tags: ["API tokens"],
  summary: "Mint a ztlu_ token for the caller (not with an API token; at most 90 days); the secret is shown once",
  request: { body: jsonBody(CreateTokenRequest) },
  responses: { 201: json(ApiTokenWithSecret, "Created"), ...errorResponses(400, 401, 403) },
});
const deleteToken = protectedRoute(T, "self", {
  method: "delete",
  path: "/{id}",
  tags: ["API tokens"],
  summary: "Delete one of the caller's tokens (admins: any token); effective on the next request",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 404) },
});

const S = "/service-accounts";
const listSa = protectedRoute(S, "admin", {
  method: "get",
  path: "",
  tags: ["Service accounts"],
  summary: "CI/service accounts",
  responses: { 200: json(z.array(ServiceAccount)), ...errorResponses(401, 403) },
});
const createSa = protectedRoute(S, "admin", {
  method: "post",
  path: "",
  tags: ["Service accounts"],
  summary: "Create a service account",
  request: { body: jsonBody(CreateServiceAccountRequest) },
  responses: { 201: json(ServiceAccount, "Created"), ...errorResponses(400, 401, 403, 409) },
});
const deleteSa = protectedRoute(S, "admin", {
  method: "delete",
  path: "/{id}",
  tags: ["Service accounts"],
  summary: "Delete a service account and its tokens",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
const createSaToken = protectedRoute(S, "admin", {
  method: "post",
  path: "/{id}/tokens",
  tags: ["Service accounts"],
  summary:
    "Mint a ztls_ token for a service account (not with an API token; at most 90 days); the secret is shown once",
  request: { params: IdParam, body: jsonBody(CreateTokenRequest) },
  responses: { 201: json(ApiTokenWithSecret, "Created"), ...errorResponses(400, 401, 403, 404) },
});

const expiry = (s: string | undefined) => (s === undefined ? null : Date.parse(s));

export const tokensRouter = createRouter()
  .openapi(listTokens, async (c) =>
    c.json((await svc.listApiTokens(await domain(c), currentIdentity(c).id)).map(tokenBody), 200),
  )
  .openapi(createToken, async (c) => {
    const b = c.req.valid("json");
    const res = await svc.createApiToken(await domain(c), currentIdentity(c), {
      name: b.name,
      expiresAt: expiry(b.expires_at),
      mintedWith: c.get("principal")?.credential.kind,
    });
    return c.json({ ...tokenBody(res.token), secret: res.secret }, 201);
  })
  .openapi(deleteToken, async (c) => {
    const me = currentIdentity(c);
    await svc.deleteApiToken(await domain(c), c.req.valid("param").id, me.role === "admin" ? undefined : me.id);
    return c.json({ message: "Token deleted" }, 200);
  });

export const serviceAccountsRouter = createRouter()
  .openapi(listSa, async (c) => c.json((await svc.listServiceAccounts(await domain(c))).map(saBody), 200))
  .openapi(createSa, async (c) =>
    c.json(saBody(await svc.createServiceAccount(await domain(c), c.req.valid("json"))), 201),
  )
  .openapi(deleteSa, async (c) => {
    await svc.deleteServiceAccount(await domain(c), c.req.valid("param").id);
    return c.json({ message: "Service account deleted" }, 200);
  })
  .openapi(createSaToken, async (c) => {
    const ctx = await domain(c);
    const owner = await svc.getServiceAccount(ctx, c.req.valid("param").id);
    const b = c.req.valid("json");
    const res = await svc.createApiToken(ctx, owner, {
      name: b.name,
      expiresAt: expiry(b.expires_at),
      mintedWith: c.get("principal")?.credential.kind,
    });
    return c.json({ ...tokenBody(res.token), secret: res.secret }, 201);
  });
