import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./settings.routes";

export const getSettings: RouteHandler<typeof r.getSettings, AppEnv> = async (c) =>
  c.json(svc.maskSettings(await svc.loadSettings(await domain(c))), 200);

export const putSettings: RouteHandler<typeof r.putSettings, AppEnv> = async (c) =>
  c.json(svc.maskSettings(await svc.putSettings(await domain(c), c.req.valid("json"))), 200);

export const getIpWhitelist: RouteHandler<typeof r.getIpWhitelist, AppEnv> = async (c) =>
  c.json({ entries: (await svc.loadSettings(await domain(c))).ip_whitelist }, 200);

export const putIpWhitelist: RouteHandler<typeof r.putIpWhitelist, AppEnv> = async (c) => {
  const next = await svc.putSettings(await domain(c), { ip_whitelist: c.req.valid("json").entries });
  return c.json({ entries: next.ip_whitelist }, 200);
};

export const ssoDiscover: RouteHandler<typeof r.ssoDiscover, AppEnv> = async (c) =>
  c.json(await svc.discoverSso(await domain(c), c.req.valid("json").discovery_url), 200);

export const ssoTest: RouteHandler<typeof r.ssoTest, AppEnv> = async (c) =>
  c.json(await svc.testSso(await domain(c)), 200);

export const smtpTest: RouteHandler<typeof r.smtpTest, AppEnv> = async (c) =>
  c.json(await svc.testSmtp(await domain(c), c.req.valid("json").to), 200);
