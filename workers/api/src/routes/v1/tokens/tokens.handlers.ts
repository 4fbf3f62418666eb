import { iso, isoOrNull } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import type * as r from "./tokens.routes";

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

const expiry = (s: string | undefined) => (s === undefined ? null : Date.parse(s));

export const listTokens: RouteHandler<typeof r.listTokens, AppEnv> = async (c) =>
  c.json((await svc.listApiTokens(await domain(c), currentIdentity(c).id)).map(tokenBody), 200);

export const createToken: RouteHandler<typeof r.createToken, AppEnv> = async (c) => {
  const b = c.req.valid("json");
  const res = await svc.createApiToken(await domain(c), currentIdentity(c), {
    name: b.name,
    expiresAt: expiry(b.expires_at),
    mintedWith: c.get("principal")?.credential.kind,
  });
  return c.json({ ...tokenBody(res.token), secret: res.secret }, 201);
};

export const deleteToken: RouteHandler<typeof r.deleteToken, AppEnv> = async (c) => {
  const me = currentIdentity(c);
  await svc.deleteApiToken(await domain(c), c.req.valid("param").id, me.role === "admin" ? undefined : me.id);
  return c.json({ message: "Token deleted" }, 200);
};

export const listSa: RouteHandler<typeof r.listSa, AppEnv> = async (c) =>
  c.json((await svc.listServiceAccounts(await domain(c))).map(saBody), 200);

export const createSa: RouteHandler<typeof r.createSa, AppEnv> = async (c) =>
  c.json(saBody(await svc.createServiceAccount(await domain(c), c.req.valid("json"))), 201);

export const deleteSa: RouteHandler<typeof r.deleteSa, AppEnv> = async (c) => {
  await svc.deleteServiceAccount(await domain(c), c.req.valid("param").id);
  return c.json({ message: "Service account deleted" }, 200);
};

export const createSaToken: RouteHandler<typeof r.createSaToken, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const owner = await svc.getServiceAccount(ctx, c.req.valid("param").id);
  const b = c.req.valid("json");
  const res = await svc.createApiToken(ctx, owner, {
    name: b.name,
    expiresAt: expiry(b.expires_at),
    mintedWith: c.get("principal")?.credential.kind,
  });
  return c.json({ ...tokenBody(res.token), secret: res.secret }, 201);
};
