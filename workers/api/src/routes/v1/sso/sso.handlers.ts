import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
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

export const handoff: RouteHandler<typeof ssoHandoff, AppEnv> = async (c) => {
  const ctx = await limited(c);
  const redeemed = await svc.redeemSsoHandoff(ctx, c.req.valid("json").handoff_code);
  if (!redeemed) throw new ApiError(400, "invalid_handoff", "Handoff code is invalid, expired or already used");
  const pair = await svc.startSession(ctx, redeemed.identity, "sso");
  const u = pair.identity;
  c.header("Cache-Control", "no-store");
  return c.json(
    {
      access_token: pair.accessToken,
      refresh_token: pair.refreshToken,
      token_type: "Bearer" as const,
      expires_in: pair.expiresIn,
      user: {
        id: u.id,
        username: u.name,
        display_name: u.displayName,
        role: u.role,
        auth_provider: u.authProvider,
        mfa_enabled: redeemed.mfaEnabled,
      },
    },
    200,
  );
};
