import { decrypt, encrypt, randomBytes, sha256Hex, toBase64Url } from "@fleetgate/auth";
import { sql } from "drizzle-orm";
import { audit } from "../audit/audit.service";
import { loadOidcProvider, type OidcDiscovery } from "../external-jwt/oidc-provider";
import { FetchProblem, fetchIdpJson, type TargetPolicy } from "../external-jwt/outbound";
import { verifyExternalJwt } from "../external-jwt/verify";
import { isMfaEnabled } from "../identity/mfa.service";
import { findIdentity, type IdentityRow } from "../identity/users.service";
import { log } from "../log";
import { nonces } from "../schema";
import { loadSettings, type SettingsValues } from "../settings/settings.service";
import type { DomainContext } from "../shared/context";
import { mapSsoUser, type SsoClaims } from "./sso-users";

/**
 * OIDC SSO, Authorization Code flow with PKCE (RFC 7636, S256) and a nonce
 * (OIDC Core §3.1.2.1), ending in a single-use 60 s handoff code so that no
 * token ever appears in a URL (linux-patch-manager.md §3.4, issue #4).
 * The state row holds the verifier and nonce encrypted; the handoff row holds
 * only the identity id — tokens are minted when the handoff is redeemed.
 */
export const SSO_STATE_TTL_MS = 10 * 60_000;
export const SSO_HANDOFF_TTL_MS = 60_000;
const STATE_PREFIX = "sso-state:";
const HANDOFF_PREFIX = "sso-handoff:";

/** Loopback identity providers only when the deployment opts in (local development, tests). */
export const ssoPolicy = (ctx: DomainContext): TargetPolicy => ({ allowLoopback: ctx.allowLoopbackIdp === true });

export interface SsoPublicConfig {
  enabled: boolean;
  display_name: string;
  auth_url: string;
}

/** `GET /auth/sso/config`; on any failure to read the settings, SSO reads as disabled. */
export async function ssoPublicConfig(ctx: DomainContext): Promise<SsoPublicConfig> {
  try {
    const s = await loadSettings(ctx);
    return {
      enabled: s.oidc.enabled,
      display_name: s.oidc.display_name || "SSO",
      auth_url: "/api/v1/auth/sso/login",
    };
  } catch (err) {
    log("warn", "sso config unavailable", { error: String(err) });
    return { enabled: false, display_name: "SSO", auth_url: "" };
  }
}

export type SsoStartResult =
  | { ok: true; location: string }
  | { ok: false; kind: "disabled" | "not_configured" | "discovery"; message: string };

const redirectUriOf = (ctx: DomainContext, s: SettingsValues) =>
  s.oidc.redirect_uri || `${ctx.issuer}/api/v1/auth/sso/callback`;

function usableEndpoints(d: OidcDiscovery): { authorization: string; token: string } | string {
  if (!d.authorizationEndpoint) return "discovery has no usable authorization_endpoint";
  if (!d.tokenEndpoint) return "discovery has no usable token_endpoint";
  if (d.codeChallengeMethods && !d.codeChallengeMethods.includes("S256"))
    return "the provider does not support PKCE S256";
  return { authorization: d.authorizationEndpoint, token: d.tokenEndpoint };
}

/** `GET /auth/sso/login`: stores state → (verifier, nonce) for 10 minutes and builds the authorization URL. */
export async function startSsoLogin(ctx: DomainContext): Promise<SsoStartResult> {
  const s = await loadSettings(ctx);
  if (!s.oidc.enabled) return { ok: false, kind: "disabled", message: "SSO is not enabled" };
  if (!s.oidc.discovery_url || !s.oidc.client_id)
    return { ok: false, kind: "not_configured", message: "SSO discovery URL is not configured" };
  const provider = await loadOidcProvider(s.oidc.discovery_url, ctx.now(), ssoPolicy(ctx));
  if (!provider.ok)
    return { ok: false, kind: "discovery", message: `Failed to fetch OIDC discovery: ${provider.reason}` };
  const endpoints = usableEndpoints(provider.provider.discovery);
  if (typeof endpoints === "string")
    return { ok: false, kind: "discovery", message: `Failed to fetch OIDC discovery: ${endpoints}` };

  const state = crypto.randomUUID();
  const verifier = toBase64Url(randomBytes(32));
  const nonce = toBase64Url(randomBytes(32));
  const challenge = toBase64Url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  const redirectUri = redirectUriOf(ctx, s);
  const key = `${STATE_PREFIX}${await sha256Hex(state)}`;
  const sealed = await encrypt(ctx.keys.data, JSON.stringify({ verifier, nonce, redirectUri }), key);
  await ctx.db
    .insert(nonces)
    .values({ key, expiresAt: ctx.now() + SSO_STATE_TTL_MS, value: sealed })
    .run();

  const url = new URL(endpoints.authorization);
  url.searchParams.set("client_id", s.oidc.client_id);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", s.oidc.scopes);
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  url.searchParams.set("nonce", nonce);
  return { ok: true, location: url.href };
}

export interface SsoCallbackInput {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

export type SsoCallbackResult =
  | { ok: true; handoff: string; callbackUrl: string }
  | {
      ok: false;
      error: "sso_error" | "bad_request" | "internal_error" | "account_disabled";
      description: string;
      callbackUrl: string;
    };

/** Consumes a state atomically (DELETE … RETURNING: of two callbacks with one state exactly one gets it). */
async function consumeState(
  ctx: DomainContext,
  state: string,
): Promise<{ verifier: string; nonce: string; redirectUri: string } | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(state)) return undefined;
  const key = `${STATE_PREFIX}${await sha256Hex(state)}`;
  const row = await ctx.db.get<{ expires_at: number; value: string | null } | undefined>(
    sql`DELETE FROM nonces WHERE key = ${key} RETURNING expires_at, value`,
  );
  if (!row?.value || row.expires_at < ctx.now()) return undefined;
  const plain = await decrypt(ctx.keys.data, row.value, key);
  if (!plain) return undefined;
  const v = JSON.parse(plain) as { verifier: string; nonce: string; redirectUri: string };
  return v;
}

const clean = (s: string | undefined, n = 200) => (s ?? "").replace(/[^\x20-\x7e]/g, "").slice(0, n);

function claimsOf(claims: Record<string, unknown>, groupsClaim: string): SsoClaims | string {
  const email = claims.email;
  if (typeof email !== "string" || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320)
    return "The ID token has no email claim";
  const sub = typeof claims.oid === "string" && claims.oid ? claims.oid : claims.sub;
  if (typeof sub !== "string" || sub === "" || sub.length > 255) return "The ID token has no subject";
  const rawGroups = groupsClaim ? claims[groupsClaim] : undefined;
  return {
    subject: sub,
    email,
    emailVerified: typeof claims.email_verified === "boolean" ? claims.email_verified : undefined,
    name: typeof claims.name === "string" ? claims.name : "",
    preferredUsername: typeof claims.preferred_username === "string" ? claims.preferred_username : email,
    groups: Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === "string") : [],
  };
}

/**
 * `GET /auth/sso/callback`: consumes the state, exchanges the code (with the
 * PKCE verifier and the client secret when set), verifies the ID token with
 * the shared external-JWT verifier (issuer from discovery, audience = client
 * id, the nonce, 60 s leeway), maps the user and issues a handoff code.
 * Every refusal is audited and answered as an `error` redirect.
 */
export async function completeSsoLogin(ctx: DomainContext, input: SsoCallbackInput): Promise<SsoCallbackResult> {
  const s = await loadSettings(ctx);
  const callbackUrl = s.sso_callback_url;
  const fail = async (
    error: "sso_error" | "bad_request" | "internal_error" | "account_disabled",
    description: string,
    reason: string,
  ): Promise<SsoCallbackResult> => {
    await audit(ctx, { action: "auth.sso_login", outcome: "denied", detail: { error, reason } });
    return { ok: false, error, description, callbackUrl };
  };
  const stored = input.state ? await consumeState(ctx, input.state) : undefined;
  if (!stored) return fail("bad_request", "Invalid or expired state", "state");
  if (input.error)
    return fail(
      "sso_error",
      clean(input.error_description) || clean(input.error, 64),
      `provider: ${clean(input.error, 64)}`,
    );
  if (!s.oidc.enabled) return fail("sso_error", "SSO is not enabled", "disabled");
  if (!input.code || input.code.length > 4096) return fail("bad_request", "Missing authorization code", "code");

  const provider = await loadOidcProvider(s.oidc.discovery_url, ctx.now(), ssoPolicy(ctx));
  if (!provider.ok) return fail("internal_error", "Failed to fetch OIDC discovery", provider.reason);
  const endpoints = usableEndpoints(provider.provider.discovery);
  if (typeof endpoints === "string") return fail("internal_error", "Failed to fetch OIDC discovery", endpoints);

  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code: input.code,
    redirect_uri: stored.redirectUri,
    client_id: s.oidc.client_id,
    code_verifier: stored.verifier,
  });
  if (s.oidc.client_secret) form.set("client_secret", s.oidc.client_secret);
  let idToken: string;
  try {
    const res = await fetchIdpJson(endpoints.token, ssoPolicy(ctx), { method: "POST", form });
    const body = res.body as { id_token?: unknown } | null;
    if (typeof body?.id_token !== "string")
      return fail("sso_error", "The provider returned no ID token", "no id_token");
    idToken = body.id_token;
  } catch (err) {
    return fail(
      "sso_error",
      "Token exchange with the provider failed",
      err instanceof FetchProblem ? err.message : String(err),
    );
  }

  const report = await verifyExternalJwt({
    token: idToken,
    provider: s.oidc.discovery_url,
    audience: s.oidc.client_id,
    nonce: stored.nonce,
    now: ctx.now(),
    policy: ssoPolicy(ctx),
  });
  const claims = report.claims as Record<string, unknown> | null;
  // OIDC Core §3.1.3.7 steps 4–5: with several audiences, azp must be us.
  const azpOk = !claims || !Array.isArray(claims.aud) || claims.aud.length <= 1 || claims.azp === s.oidc.client_id;
  if (!report.ok || !claims || !azpOk) {
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.check);
    return fail("sso_error", "ID token validation failed", `failed: ${azpOk ? failed.join(",") : "azp"}`);
  }
  const mapped = claimsOf(claims, s.sso_policy.groups_claim);
  if (typeof mapped === "string") return fail("sso_error", mapped, "claims");
  const user = await mapSsoUser(ctx, s, mapped);
  if (!user.ok) return fail(user.error, user.description, user.error);

  const handoff = toBase64Url(randomBytes(32));
  const key = `${HANDOFF_PREFIX}${await sha256Hex(handoff)}`;
  await ctx.db
    .insert(nonces)
    .values({ key, expiresAt: ctx.now() + SSO_HANDOFF_TTL_MS, value: user.identity.id })
    .run();
  return { ok: true, handoff, callbackUrl };
}

/**
 * `POST /auth/sso/handoff`: the code is removed atomically (of concurrent
 * redemptions exactly one gets the row); unknown, expired, used or malformed
 * codes are all `undefined`. The caller then starts the session.
 */
export async function redeemSsoHandoff(
  ctx: DomainContext,
  code: string,
): Promise<{ identity: IdentityRow; mfaEnabled: boolean } | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(code)) return undefined;
  const key = `${HANDOFF_PREFIX}${await sha256Hex(code)}`;
  const row = await ctx.db.get<{ expires_at: number; value: string | null } | undefined>(
    sql`DELETE FROM nonces WHERE key = ${key} RETURNING expires_at, value`,
  );
  if (!row?.value || row.expires_at < ctx.now()) return undefined;
  const identity = await findIdentity(ctx, row.value);
  if (!identity || identity.disabled) return undefined;
  return { identity, mfaEnabled: await isMfaEnabled(ctx, identity.id) };
}

/** Appends `params` to the configured callback URL (absolute, or a path on this deployment). */
export function callbackRedirect(ctx: DomainContext, callbackUrl: string, params: Record<string, string>): string {
  const url = new URL(callbackUrl, `${ctx.issuer}/`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return callbackUrl.startsWith("/") ? `${url.pathname}${url.search}` : url.href;
}
