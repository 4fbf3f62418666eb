import { type ApiSessionRow, authenticate } from "@fleetgate/domain";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../context";
import { domain, signIn } from "../../lib/domain-context";
import { clientIpAllowed } from "../../lib/ip-allowlist";
import { headerKey } from "../../lib/router";
import { goTimeString } from "./envelope";
import { Z } from "./errors";

/** Security requirement of authenticated Ziti routes (ztSession; apiToken where tokens are accepted). */
export const ZT_SESSION: Record<string, string[]>[] = [{ ztSession: [] }];
export const ZT_SESSION_OR_TOKEN: Record<string, string[]>[] = [{ ztSession: [] }, { apiToken: [] }];
/** The schemes those requirements name, as the face's document declares them. */
export const ZITI_SECURITY_SCHEMES = {
  ztSession: headerKey("zt-session", "An API session token from POST /authenticate"),
  apiToken: headerKey("Authorization", "`Token ztlu_…` / `Token ztls_…` API token (where a route accepts one)"),
};

export interface ZitiSession {
  /** The token exactly as the client presented it (echoed in the session envelope). */
  token: string;
  row: ApiSessionRow;
}

/** The zt-session of the request, kept beside the Hono context (AppEnv stays face-neutral). */
const sessions = new WeakMap<Request, ZitiSession>();

export interface ZitiAuthOptions {
  /**
   * May a partially authenticated session (MFA pending) call this route?
   * ziti-edge-client.md §5.3: only /authenticate/mfa, current-api-session and the MFA enrollment routes.
   */
  partial?: boolean;
  /** Is `Authorization: Token ztl…` accepted instead of a session? (never for current-api-session). */
  apiToken?: boolean;
}

/**
 * Ziti-face authentication: `zt-session: <token>` (header name case-insensitive),
 * resolved by the shared domain, or an API token where the route allows one.
 * Unknown, expired or disabled → 401 UNAUTHORIZED; MFA pending on a route that
 * does not allow it → 401. Adds `expiration-seconds` and `expires-at`.
 */
export function zitiAuth(opts: ZitiAuthOptions = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!(await clientIpAllowed(c))) throw Z.forbidden();
    const token = c.req.header("zt-session")?.trim();
    const ctx = await domain(c);
    if (token) {
      const res = await authenticate(ctx, { kind: "zt_session", token });
      if (!res.ok || !res.session) throw Z.unauthorized();
      signIn(c, res);
      sessions.set(c.req.raw, { token, row: res.session });
      addSessionHeaders(c, res.session, ctx.now());
      if (res.principal.mfaPending && !opts.partial) throw Z.unauthorized();
      await next();
      return;
    }
    const auth = c.req.header("authorization") ?? "";
    const space = auth.indexOf(" ");
    if (opts.apiToken && space > 0 && auth.slice(0, space).toLowerCase() === "token") {
      const res = await authenticate(ctx, { kind: "api_token", token: auth.slice(space + 1).trim() });
      if (!res.ok || res.principal.kind === "host") throw Z.unauthorized();
      signIn(c, res);
      await next();
      return;
    }
    throw Z.unauthorized();
  });
}

/** `expiration-seconds` (whole seconds left) and `expires-at` (Go `time.String()`), as the controller sends them. */
export function addSessionHeaders(c: Context<AppEnv>, session: ApiSessionRow, now: number): void {
  c.header("expiration-seconds", String(Math.max(0, Math.floor((session.expiresAt - now) / 1000))));
  c.header("expires-at", goTimeString(session.expiresAt));
}

/** The request's zt-session; a route reached without one (API token) is refused. */
export function currentSession(c: Context<AppEnv>): ZitiSession {
  const s = sessions.get(c.req.raw);
  if (!s) throw Z.unauthorized();
  return s;
}

/** The authenticated identity (set by zitiAuth). */
export function currentIdentityRow(c: Context<AppEnv>) {
  const identity = c.get("identity");
  if (!identity) throw Z.unauthorized();
  return identity;
}
