import { iso, type PatchTokenIssuerRequest } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./token-issuers.routes";

const issuerBody = (row: svc.TokenIssuerRow) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  issuer_uri: row.issuerUri,
  audience: row.audience,
  condition: row.condition,
  max_validity: row.maxValidity,
  service_account_id: row.serviceAccountId,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
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

export const list: RouteHandler<typeof r.list, AppEnv> = async (c) =>
  c.json((await svc.listTokenIssuers(await domain(c))).map(issuerBody), 200);

export const create: RouteHandler<typeof r.create, AppEnv> = async (c) => {
  const b = c.req.valid("json");
  const row = await svc.createTokenIssuer(await domain(c), toInput(b) as svc.TokenIssuerInput);
  return c.json(issuerBody(row), 201);
};

export const get: RouteHandler<typeof r.get, AppEnv> = async (c) =>
  c.json(issuerBody(await svc.getTokenIssuer(await domain(c), c.req.valid("param").id)), 200);

export const replace: RouteHandler<typeof r.replace, AppEnv> = async (c) => {
  const row = await svc.updateTokenIssuer(await domain(c), c.req.valid("param").id, toInput(c.req.valid("json")));
  return c.json(issuerBody(row), 200);
};

export const patch: RouteHandler<typeof r.patch, AppEnv> = async (c) => {
  const row = await svc.updateTokenIssuer(await domain(c), c.req.valid("param").id, toInput(c.req.valid("json")));
  return c.json(issuerBody(row), 200);
};

export const remove: RouteHandler<typeof r.remove, AppEnv> = async (c) => {
  await svc.deleteTokenIssuer(await domain(c), c.req.valid("param").id);
  return c.json({ message: "Token issuer deleted" }, 200);
};

export const explain: RouteHandler<typeof r.explain, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const issuer = await svc.getTokenIssuer(ctx, c.req.valid("param").id);
  const report = await svc.explainOidcToken(ctx, issuer, c.req.valid("json").jwt);
  return c.json(
    { would_mint: report.wouldMint, checks: report.checks, header: report.header, claims: report.claims },
    200,
  );
};
