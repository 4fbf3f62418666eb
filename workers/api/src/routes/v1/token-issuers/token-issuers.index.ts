import {
  CreateTokenIssuerRequest,
  ErrorBody,
  ExplainReport,
  ExplainRequest,
  errorResponses,
  IdParam,
  iso,
  json,
  jsonBody,
  Message,
  PatchTokenIssuerRequest,
  ReplaceTokenIssuerRequest,
  TokenIssuer,
} from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { z } from "@hono/zod-openapi";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { protectedRoute } from "../route";

const tags = ["Token issuers"];
const P = "/token-issuers";

const issuerBody = (r: svc.TokenIssuerRow) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  issuer_uri: r.issuerUri,
  audience: r.audience,
  condition: r.condition,
  max_validity: r.maxValidity,
  service_account_id: r.serviceAccountId,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
});

type Wire = Partial<z.infer<typeof PatchTokenIssuerRequest>>;
const toInput = (b: Wire): Partial<svc.TokenIssuerInput> => {
  const out: Partial<svc.TokenIssuerInput> = {};
  if (b.name !== undefined) out.name = b.name;
  if (b.description !== undefined) out.description = b.description;
  if (b.issuer_uri !== undefined) out.issuerUri = b.issuer_uri;
  if (b.audience !== undefined) out.audience = b.audience;
  if (b.condition !== undefined) out.condition = b.condition;
  if (b.max_validity !== undefined) out.maxValidity = b.max_validity;
  if (b.service_account_id !== undefined) out.serviceAccountId = b.service_account_id;
  return out;
};

const conflict = { 409: { description: "Name taken", content: { "application/json": { schema: ErrorBody } } } };

const list = protectedRoute(P, "admin", {
  method: "get",
  path: "",
  tags,
  summary: "OIDC issuers whose JWTs CI jobs exchange for ztls_ tokens",
  responses: { 200: json(z.array(TokenIssuer)), ...errorResponses(401, 403) },
});
const create = protectedRoute(P, "admin", {
  method: "post",
  path: "",
  tags,
  summary: "Add a token issuer (its discovery document must be reachable)",
  request: { body: jsonBody(CreateTokenIssuerRequest) },
  responses: { 201: json(TokenIssuer, "Created"), ...errorResponses(400, 401, 403, 415), ...conflict },
});
const get = protectedRoute(P, "admin", {
  method: "get",
  path: "/{id}",
  tags,
  summary: "One token issuer",
  request: { params: IdParam },
  responses: { 200: json(TokenIssuer), ...errorResponses(400, 401, 403, 404) },
});
const replace = protectedRoute(P, "admin", {
  method: "put",
  path: "/{id}",
  tags,
  summary: "Replace a token issuer",
  request: { params: IdParam, body: jsonBody(ReplaceTokenIssuerRequest) },
  responses: { 200: json(TokenIssuer), ...errorResponses(400, 401, 403, 404, 415), ...conflict },
});
const patch = protectedRoute(P, "admin", {
  method: "patch",
  path: "/{id}",
  tags,
  summary: "Change some fields of a token issuer",
  request: { params: IdParam, body: jsonBody(PatchTokenIssuerRequest) },
  responses: { 200: json(TokenIssuer), ...errorResponses(400, 401, 403, 404, 415), ...conflict },
});
const remove = protectedRoute(P, "admin", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Delete a token issuer (tokens it minted keep working until they expire)",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
const explain = protectedRoute(P, "admin", {
  method: "post",
  path: "/{id}/explain",
  tags,
  summary: "Run every exchange check on a JWT without minting, and report each one",
  request: { params: IdParam, body: jsonBody(ExplainRequest) },
  responses: { 200: json(ExplainReport), ...errorResponses(400, 401, 403, 404, 415) },
});

export const tokenIssuersRouter = createRouter()
  .openapi(list, async (c) => c.json((await svc.listTokenIssuers(await domain(c))).map(issuerBody), 200))
  .openapi(create, async (c) => {
    const b = c.req.valid("json");
    const row = await svc.createTokenIssuer(await domain(c), toInput(b) as svc.TokenIssuerInput);
    return c.json(issuerBody(row), 201);
  })
  .openapi(get, async (c) =>
    c.json(issuerBody(await svc.getTokenIssuer(await domain(c), c.req.valid("param").id)), 200),
  )
  .openapi(replace, async (c) => {
    const row = await svc.updateTokenIssuer(await domain(c), c.req.valid("param").id, toInput(c.req.valid("json")));
    return c.json(issuerBody(row), 200);
  })
  .openapi(patch, async (c) => {
    const row = await svc.updateTokenIssuer(await domain(c), c.req.valid("param").id, toInput(c.req.valid("json")));
    return c.json(issuerBody(row), 200);
  })
  .openapi(remove, async (c) => {
    await svc.deleteTokenIssuer(await domain(c), c.req.valid("param").id);
    return c.json({ message: "Token issuer deleted" }, 200);
  })
  .openapi(explain, async (c) => {
    const ctx = await domain(c);
    const issuer = await svc.getTokenIssuer(ctx, c.req.valid("param").id);
    const r = await svc.explainOidcToken(ctx, issuer, c.req.valid("json").jwt);
    return c.json({ would_mint: r.wouldMint, checks: r.checks, header: r.header, claims: r.claims }, 200);
  });
