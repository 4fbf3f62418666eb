import { REFRESH_TTL_MS } from "@fleetgate/domain";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../../context";

/**
 * The dashboard's refresh token travels in an HttpOnly cookie so page script never holds it.
 * `__Host-` (RFC 6265bis §4.1.3.2) pins it to this host, Secure and Path=/ — the prefix forbids
 * a narrower Path, so it cannot be scoped to /api/v1/auth; SameSite=Strict keeps other sites
 * from sending it, and the refresh route only reads it from a JSON request (no form post).
 * API clients keep using the `refresh_token` body field, which wins when both are present.
 */
const NAME = "fg_refresh";
/**
 * A companion flag with no secret in it, readable by page script: it tells the dashboard
 * whether a refresh cookie is there, so a signed-out browser does not post a doomed refresh.
 */
const FLAG = "fg_session";

export function setRefreshCookie(c: Context<AppEnv>, token: string): void {
  setCookie(c, NAME, token, {
    prefix: "host",
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: Math.floor(REFRESH_TTL_MS / 1000),
  });
  setCookie(c, FLAG, "1", {
    prefix: "host",
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: Math.floor(REFRESH_TTL_MS / 1000),
  });
}

export function readRefreshCookie(c: Context<AppEnv>): string | undefined {
  const v = getCookie(c, NAME, "host");
  return v && v.length <= 256 ? v : undefined;
}

export function clearRefreshCookie(c: Context<AppEnv>): void {
  deleteCookie(c, NAME, { prefix: "host", path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
  deleteCookie(c, FLAG, { prefix: "host", path: "/", secure: true, sameSite: "Strict" });
}
