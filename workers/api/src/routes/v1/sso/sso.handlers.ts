import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { setRefreshCookie } from "../auth/refresh-cookie";
import { ssoSessionBody } from "../auth/session-body";
import { ApiError } from "../errors";
import type { ssoCallback, ssoConfig, ssoHandoff, ssoLogin } from "./sso.routes";

/** Public SSO routes share the login rate limit budget of their client address (≈20/min, as the reference). */
async function limited(c: Parameters<RouteHandler<typeof ssoConfig, AppEnv>>[0]) {
  const ctx = await domain(c);
  await svc.hit(ctx, `sso:ip:${ctx.sourceIp}`, 20, 60);
  return ctx;
}

export const config: RouteHandler<typeof ssoConfig, AppEnv> = async (c) =>
  c.json(await svc.ssoPublicConfig(await domain(c)), 200);

export const login: RouteHandler<typeof ssoLogin, AppEnv> = async (c) => {
  const ctx = await limited(c);
  const res = await svc.startSsoLogin(ctx);
  if (!res.ok) {
    if (res.kind === "discovery") throw new ApiError(502, "internal_error", res.message);
    throw new ApiError(403, "forbidden", res.message);
  }
  c.header("Cache-Control", "no-store");
  return c.redirect(res.location, 302);
};

export const callback: RouteHandler<typeof ssoCallback, AppEnv> = async (c) => {
  const ctx = await limited(c);
  const res = await svc.completeSsoLogin(ctx, c.req.valid("query"));
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  const params: Record<string, string> = res.ok
    ? { handoff: res.handoff }
    : { error: res.error, error_description: res.description };
  return c.redirect(svc.callbackRedirect(ctx, res.callbackUrl, params), 302);
};

const invalidHandoff = () => new ApiError(400, "invalid_handoff", "Handoff code is invalid, expired or already used");

/** A malformed handoff body is `invalid_handoff` too (linux-patch-manager.md §3.4), not a generic validation error. */
export const handoffHook = (result: { success: boolean }): undefined => {
  if (!result.success) throw invalidHandoff();
  return undefined;
};

export const handoff: RouteHandler<typeof ssoHandoff, AppEnv> = async (c) => {
  const ctx = await limited(c);
  const redeemed = await svc.redeemSsoHandoff(ctx, c.req.valid("json").handoff_code);
  if (!redeemed) throw invalidHandoff();
  const pair = await svc.startSession(ctx, redeemed.identity, "sso");
  // The dashboard keeps its refresh token in the HttpOnly cookie, as after a password login.
  setRefreshCookie(c, pair.refreshToken);
  c.header("Cache-Control", "no-store");
  return c.json(ssoSessionBody(pair, redeemed.mfaEnabled), 200);
};
