import type { JWK } from "@fleetgate/auth";
import { log } from "../log";
import { FetchProblem, fetchIdpJson, isLoopbackHost, refuseTarget, type TargetPolicy } from "./outbound";

/**
 * OIDC discovery (OpenID Connect Discovery 1.0 §4) and JWKS (RFC 7517) of an
 * external JWT issuer — shared by SSO, the CI token issuers and external JWT
 * signers — fetched under a target policy (outbound.ts) and cached per
 * isolate. A JWT naming an unknown `kid` re-fetches the JWKS (key rotation),
 * within a per-issuer budget so random kids cannot turn us into a request
 * amplifier.
 */
export interface OidcDiscovery {
  issuer: string;
  jwksUri: string;
  /** `id_token_signing_alg_values_supported`. */
  algorithms: string[];
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  userinfoEndpoint?: string;
  /** `code_challenge_methods_supported`, when advertised. */
  codeChallengeMethods?: string[];
}

export interface OidcProvider {
  discovery: OidcDiscovery;
  /** The signing key with this kid; re-fetches the JWKS once if it is not known. */
  resolveKey(kid: string): Promise<JWK | undefined>;
}

export type ProviderResult = { ok: true; provider: OidcProvider } | { ok: false; reason: string };

const CACHE_TTL_MS = 10 * 60_000;
const REFETCH_BUDGET = 10;
const REFETCH_WINDOW_MS = 60_000;
const WELL_KNOWN = "/.well-known/openid-configuration";

interface Entry {
  discovery: OidcDiscovery;
  keys: JWK[];
  fetchedAt: number;
  refetches: number[];
}
const cache = new Map<string, Entry>();

/** The discovery document's URL for an issuer URI or a discovery URL given as is. */
export function discoveryUrlOf(issuerOrDiscoveryUrl: string): string {
  if (issuerOrDiscoveryUrl.endsWith(WELL_KNOWN)) return issuerOrDiscoveryUrl;
  return `${issuerOrDiscoveryUrl.replace(/\/+$/, "")}${WELL_KNOWN}`;
}

/** Drops the cached discovery and JWKS of an issuer or discovery URL (after an admin edits it; in tests). */
export function forgetOidcProvider(issuerOrDiscoveryUrl: string): void {
  cache.delete(discoveryUrlOf(issuerOrDiscoveryUrl));
}

/** CI token issuers: `https:` URLs, or `http:` on a loopback host (127.0.0.0/8, ::1, localhost) for local development. */
export function isAllowedIssuerUrl(url: URL): boolean {
  if (url.protocol === "https:") return true;
  if (url.protocol !== "http:") return false;
  return isLoopbackHost(url.hostname);
}

/** The token issuers' historical policy: loopback (http or https) allowed, any other target over https. */
export const TOKEN_ISSUER_POLICY: TargetPolicy = { allowLoopback: true };

/** An optional endpoint, kept only when it is a URL we may call (its user reports a missing one). */
function optionalUrl(d: Record<string, unknown>, field: string, policy: TargetPolicy): string | undefined {
  const v = d[field];
  if (typeof v !== "string") return undefined;
  try {
    const u = new URL(v);
    return refuseTarget(u, policy) ? undefined : u.href;
  } catch {
    return undefined;
  }
}

/** Zentral's `get_openid_configuration` checks (zentral.md §5.1), plus allowed endpoint targets. */
function parseDiscovery(doc: unknown, discoveryUrl: URL, policy: TargetPolicy): OidcDiscovery {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw new FetchProblem("discovery is not an object");
  const d = doc as Record<string, unknown>;
  const algs = d.id_token_signing_alg_values_supported;
  if (!Array.isArray(algs) || !algs.every((a) => typeof a === "string"))
    throw new FetchProblem("discovery: id_token_signing_alg_values_supported is not a list of strings");
  if (typeof d.issuer !== "string") throw new FetchProblem("discovery: issuer is not a string");
  if (typeof d.jwks_uri !== "string") throw new FetchProblem("discovery: jwks_uri is not a string");
  let jwks: URL;
  try {
    jwks = new URL(d.jwks_uri);
  } catch {
    throw new FetchProblem("discovery: jwks_uri is not a URL");
  }
  // Plain http only when the discovery document itself came from a loopback development issuer.
  const httpOk = discoveryUrl.protocol === "http:" && policy.allowLoopback && isLoopbackHost(jwks.hostname);
  if (!(jwks.protocol === "https:" || httpOk)) throw new FetchProblem("discovery: jwks_uri must use https");
  const methods = d.code_challenge_methods_supported;
  return {
    issuer: d.issuer,
    jwksUri: jwks.href,
    algorithms: algs as string[],
    authorizationEndpoint: optionalUrl(d, "authorization_endpoint", policy),
    tokenEndpoint: optionalUrl(d, "token_endpoint", policy),
    userinfoEndpoint: optionalUrl(d, "userinfo_endpoint", policy),
    codeChallengeMethods:
      Array.isArray(methods) && methods.every((m) => typeof m === "string") ? (methods as string[]) : undefined,
  };
}

/** PyJWKClient's filter: keys with a kid whose `use` is `sig` or absent. */
function parseJwks(doc: unknown): JWK[] {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new FetchProblem("JWKS has no keys array");
  const signing = keys.filter(
    (k): k is JWK =>
      k !== null &&
      typeof k === "object" &&
      typeof (k as JWK).kty === "string" &&
      typeof (k as JWK).kid === "string" &&
      ((k as JWK).use === undefined || (k as JWK).use === "sig"),
  );
  if (signing.length === 0) throw new FetchProblem("JWKS contains no signing keys");
  return signing;
}

async function fetchEntry(discoveryUrl: string, policy: TargetPolicy, now: number): Promise<Entry> {
  const discovery = parseDiscovery((await fetchIdpJson(discoveryUrl, policy)).body, new URL(discoveryUrl), policy);
  const keys = parseJwks((await fetchIdpJson(discovery.jwksUri, policy)).body);
  return { discovery, keys, fetchedAt: now, refetches: [] };
}

/**
 * An issuer's discovery and keys (cached for 10 minutes), from its issuer URI
 * (`…/.well-known/openid-configuration` is appended) or a discovery URL. Never
 * throws: a provider whose discovery is down, malformed or not an allowed
 * target is a refusal, not a server error.
 */
export async function loadOidcProvider(
  issuerOrDiscoveryUrl: string,
  now: number,
  policy: TargetPolicy = TOKEN_ISSUER_POLICY,
): Promise<ProviderResult> {
  const discoveryUrl = discoveryUrlOf(issuerOrDiscoveryUrl);
  let entry = cache.get(discoveryUrl);
  try {
    let url: URL;
    try {
      url = new URL(discoveryUrl);
    } catch {
      return { ok: false, reason: "issuer URI is not a URL" };
    }
    const refused = refuseTarget(url, policy);
    if (refused) return { ok: false, reason: refused === "URL must use https" ? "issuer URI must use https" : refused };
    if (!entry || now - entry.fetchedAt > CACHE_TTL_MS) {
      entry = await fetchEntry(discoveryUrl, policy, now);
      cache.set(discoveryUrl, entry);
    }
  } catch (err) {
    const reason = err instanceof FetchProblem ? err.message : `unexpected: ${String(err)}`;
    log("warn", "oidc provider unavailable", { discoveryUrl, reason });
    return { ok: false, reason };
  }
  return { ok: true, provider: providerOf(entry, discoveryUrl, policy) };
}

/** The cached entry as a provider whose unknown kids re-fetch the JWKS (within the budget). */
function providerOf(current: Entry, cacheKey: string, policy: TargetPolicy): OidcProvider {
  return {
    discovery: current.discovery,
    async resolveKey(kid) {
      const known = current.keys.find((k) => k.kid === kid);
      if (known) return known;
      const t = Date.now();
      current.refetches = current.refetches.filter((at) => t - at < REFETCH_WINDOW_MS);
      if (current.refetches.length >= REFETCH_BUDGET) return undefined;
      current.refetches.push(t);
      try {
        current.keys = parseJwks((await fetchIdpJson(current.discovery.jwksUri, policy)).body);
      } catch (err) {
        log("warn", "jwks refetch failed", { source: cacheKey, reason: String(err) });
        return undefined;
      }
      return current.keys.find((k) => k.kid === kid);
    },
  };
}

const JWKS_PREFIX = "jwks:";

/**
 * A signer known only by its JWKS URL (Ziti external JWT signers): no
 * discovery, so no advertised algorithms — `algorithms` are the caller's
 * allowlist and `issuer` is what the caller configured. Cached like a provider.
 */
export async function loadJwksProvider(
  jwksUrl: string,
  issuer: string,
  algorithms: readonly string[],
  now: number,
  policy: TargetPolicy = TOKEN_ISSUER_POLICY,
): Promise<ProviderResult> {
  const key = `${JWKS_PREFIX}${jwksUrl}`;
  let entry = cache.get(key);
  try {
    if (!entry || now - entry.fetchedAt > CACHE_TTL_MS) {
      const keys = parseJwks((await fetchIdpJson(jwksUrl, policy)).body);
      entry = {
        discovery: { issuer, jwksUri: jwksUrl, algorithms: [...algorithms] },
        keys,
        fetchedAt: now,
        refetches: [],
      };
      cache.set(key, entry);
    }
  } catch (err) {
    const reason = err instanceof FetchProblem ? err.message : `unexpected: ${String(err)}`;
    log("warn", "jwks unavailable", { jwksUrl, reason });
    return { ok: false, reason };
  }
  return { ok: true, provider: providerOf(entry, key, policy) };
}

/** Drops the cached keys of a JWKS URL (after an admin edits the signer). */
export function forgetJwks(jwksUrl: string): void {
  cache.delete(`${JWKS_PREFIX}${jwksUrl}`);
}
