import { verifyPassword } from "@fleetgate/auth";
import { RefreshTokenField } from "@fleetgate/contract";
import {
  checkPassword,
  DomainError,
  disableMfa,
  enforceLocalLoginPolicy,
  enrolMfaWithPassword,
  hit,
  isMfaEnabled,
  logout,
  newTotpSetup,
  refresh,
  setPassword,
  startSession,
  updbOf,
} from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { validationError } from "../../../lib/http-errors";
import { currentIdentity } from "../current";
import { ApiError } from "../errors";
import type * as r from "./auth.routes";
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from "./refresh-cookie";
import { sessionBody } from "./session-body";

/** The body's refresh_token, else the cookie's; with neither, the body's original 400. */
function refreshTokenOf(c: Context<AppEnv>, body: { refresh_token?: string | undefined }): string {
  const token = body.refresh_token ?? readRefreshCookie(c);
  if (token !== undefined) return token;
  const strict = RefreshTokenField.safeParse(body);
  if (!strict.success) throw validationError(strict.error);
  return strict.data.refresh_token;
}

export const loginHandler: RouteHandler<typeof r.login, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const ctx = await domain(c);
  const checked = await checkPassword(ctx, body.username, body.password, {
    secondFactor: "inline",
    totpCode: body.totp_code,
  });
  if (checked.identity.kind !== "user") throw new DomainError("auth.invalid_credentials");
  await enforceLocalLoginPolicy(ctx, checked.identity, checked.mfaEnabled);
  const pair = await startSession(ctx, checked.identity, "password");
  setRefreshCookie(c, pair.refreshToken);
  return c.json(sessionBody(pair, checked.mfaEnabled), 200);
};

export const refreshHandler: RouteHandler<typeof r.refresh, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const pair = await refresh(ctx, refreshTokenOf(c, c.req.valid("json")));
  setRefreshCookie(c, pair.refreshToken);
  return c.json(sessionBody(pair, await isMfaEnabled(ctx, pair.identity.id)), 200);
};

export const logoutHandler: RouteHandler<typeof r.logout, AppEnv> = async (c) => {
  const token = refreshTokenOf(c, c.req.valid("json"));
  clearRefreshCookie(c);
  await logout(await domain(c), token);
  return c.json({ message: "Logged out successfully" }, 200);
};

export const forceChangePasswordHandler: RouteHandler<typeof r.forceChangePassword, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const ctx = await domain(c);
  // Only an account an admin marked for reset, and with its second factor when MFA is on.
  const checked = await checkPassword(ctx, body.username, body.current_password, {
    secondFactor: "inline",
    totpCode: body.totp_code,
    allowForcedReset: true,
    requireForcedReset: true,
  });
  await setPassword(ctx, checked.identity, body.new_password, {
    forcePasswordReset: false,
    action: "user.password_change",
  });
  return c.json({ message: "Password changed successfully" }, 200);
};

export const mfaSetupHandler: RouteHandler<typeof r.mfaSetup, AppEnv> = async (c) => {
  const me = currentIdentity(c);
  const setup = newTotpSetup(me.name);
  return c.json({ secret_base32: setup.secret, otp_uri: setup.uri }, 200);
};

export const mfaVerifyHandler: RouteHandler<typeof r.mfaVerify, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const codes = await enrolMfaWithPassword(await domain(c), currentIdentity(c).id, {
    password: body.password,
    secret: body.secret_base32,
    code: body.code,
  });
  return c.json({ message: "MFA enabled successfully", recovery_codes: codes }, 200);
};

export const mfaDisableHandler: RouteHandler<typeof r.mfaDisable, AppEnv> = async (c) => {
  const me = currentIdentity(c);
  const ctx = await domain(c);
  await hit(ctx, `password:user:${me.id}`, 10, 60);
  const auth = await updbOf(ctx, me.id);
  const ok = auth?.passwordHash
    ? await verifyPassword(c.req.valid("json").password, auth.passwordHash, ctx.pepper)
    : false;
  if (!ok) throw new ApiError(400, "invalid_password", "Current password is incorrect");
  await disableMfa(ctx, me.id);
  return c.json({ message: "MFA disabled successfully" }, 200);
};
