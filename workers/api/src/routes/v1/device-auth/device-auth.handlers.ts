import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { ssoSessionBody } from "../auth/session-body";
import { ApiError } from "../errors";
import type * as r from "./device-auth.routes";

const MESSAGES = {
  authorization_pending: "The user has not approved the code yet",
  slow_down: "Polling too fast: wait longer between polls",
  access_denied: "The code was denied",
  expired_token: "The device code is invalid, expired or already used",
} as const;

export const deviceCode: RouteHandler<typeof r.deviceCode, AppEnv> = async (c) => {
  const ctx = await domain(c);
  await svc.hit(ctx, `device:ip:${ctx.sourceIp}`, 10, 60);
  c.header("Cache-Control", "no-store");
  return c.json(await svc.startDeviceAuthorization(ctx, c.req.valid("json").client_name ?? "fleetgate CLI"), 200);
};

export const deviceToken: RouteHandler<typeof r.deviceToken, AppEnv> = async (c) => {
  const ctx = await domain(c);
  await svc.hit(ctx, `device-poll:ip:${ctx.sourceIp}`, 120, 60);
  const res = await svc.pollDeviceAuthorization(ctx, c.req.valid("json").device_code);
  c.header("Cache-Control", "no-store");
  if (res.status !== "approved") throw new ApiError(400, res.status, MESSAGES[res.status]);
  const pair = await svc.startSession(ctx, res.identity, "sso");
  return c.json(ssoSessionBody(pair, res.mfaEnabled), 200);
};

export const deviceApprove: RouteHandler<typeof r.deviceApprove, AppEnv> = async (c) => {
  const { user_code, approve } = c.req.valid("json");
  const ctx = await domain(c);
  await svc.hit(ctx, `device-approve:${ctx.actor?.id ?? ctx.sourceIp}`, 10, 60);
  if (!(await svc.decideDeviceAuthorization(ctx, user_code, approve)))
    throw new ApiError(400, "invalid_user_code", "The code is invalid, expired or already used");
  return c.json({ status: approve ? ("approved" as const) : ("denied" as const) }, 200);
};

export const deviceLookup: RouteHandler<typeof r.deviceLookup, AppEnv> = async (c) => {
  const ctx = await domain(c);
  await svc.hit(ctx, `device-lookup:${ctx.actor?.id ?? ctx.sourceIp}`, 30, 60);
  const found = await svc.describeDeviceAuthorization(ctx, c.req.valid("json").user_code);
  if (!found) throw new ApiError(400, "invalid_user_code", "The code is invalid, expired or already used");
  const iso = (ms: number) => new Date(ms).toISOString();
  return c.json(
    {
      client_name: found.client,
      ip_address: found.ip,
      requested_at: found.requestedAt === null ? null : iso(found.requestedAt),
      expires_at: iso(found.expiresAt),
    },
    200,
  );
};
