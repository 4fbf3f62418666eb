import type { JWK } from "@fleetgate/auth";
import { log } from "../log";
import { DomainError } from "../shared/errors";

/**
 * OIDC discovery (OpenID Connect Discovery 1.0 §4) and JWKS (RFC 7517) of a
 * token issuer, fetched with a timeout and a size cap and cached per isolate.
 * A JWT naming an unknown `kid` re-fetches the JWKS (key rotation), within a
 * per-issuer budget so random kids cannot turn us into a request amplifier.
 */
export interface OidcDiscovery {
  issuer: string;
  jwksUri: string;
  algorithms: string[];
}

export interface OidcProvider {
  discovery: OidcDiscovery;
  /** The signing key with this kid; re-fetches the JWKS once if it is not known. */
  resolveKey(kid: string): Promise<JWK | undefined>;
}

export type ProviderResult = { ok: true; provider: OidcProvider } | { ok: false; reason: string };

const CACHE_TTL_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5000;
const MAX_DOCUMENT_BYTES = 256 * 1024;
const REFETCH_BUDGET = 10;
const REFETCH_WINDOW_MS = 60_000;

interface Entry {
  discovery: OidcDiscovery;
  keys: JWK[];
  fetchedAt: number;
  refetches: number[];
}
const cache = new Map<string, Entry>();

/** Drops the cached discovery and JWKS of an issuer (after an admin edits it; in tests). */
export function forgetOidcProvider(issuerUri: string): void {
  cache.delete(issuerUri);
}

/** `https:` URLs, or `http:` on a loopback host (127.0.0.0/8, ::1, localhost) for local development and tests. */
export function isAllowedIssuerUrl(url: URL): boolean {
  if (url.protocol === "https:") return true;
  if (url.protocol !== "http:") return false;
  const h = url.hostname;
  return h === "localhost" || h === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** An issuer document that could not be fetched or is unusable; `reason` says why (logged, never sent). */
const fetchProblem = (reason: string) => new DomainError("auth.issuer_unavailable", { reason });

async function fetchJson(url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (err) {
    throw fetchProblem(`GET ${url} failed: ${String(err)}`);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw fetchProblem(`GET ${url} answered ${res.status}`);
  }
  const text = await readCapped(res);
  try {
    return JSON.parse(text);
  } catch {
    throw fetchProblem(`GET ${url} did not return JSON`);
  }
}

async function readCapped(res: Response): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_DOCUMENT_BYTES) {
    await res.body?.cancel();
    throw fetchProblem("document too large");
  }
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_DOCUMENT_BYTES) {
      await reader.cancel();
      throw fetchProblem("document too large");
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** Zentral's `get_openid_configuration` checks (zentral.md §5.1), plus an allowed jwks_uri scheme. */
function parseDiscovery(doc: unknown, issuerUrl: URL): OidcDiscovery {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw fetchProblem("discovery is not an object");
  const d = doc as Record<string, unknown>;
  const algs = d.id_token_signing_alg_values_supported;
  if (!Array.isArray(algs) || !algs.every((a) => typeof a === "string"))
    throw fetchProblem("discovery: id_token_signing_alg_values_supported is not a list of strings");
  if (typeof d.issuer !== "string") throw fetchProblem("discovery: issuer is not a string");
  if (typeof d.jwks_uri !== "string") throw fetchProblem("discovery: jwks_uri is not a string");
  let jwks: URL;
  try {
    jwks = new URL(d.jwks_uri);
  } catch {
    throw fetchProblem("discovery: jwks_uri is not a URL");
  }
  // Plain http only when the issuer itself is a loopback development issuer.
  if (!(jwks.protocol === "https:" || (issuerUrl.protocol === "http:" && isAllowedIssuerUrl(jwks))))
    throw fetchProblem("discovery: jwks_uri must use https");
  return { issuer: d.issuer, jwksUri: jwks.href, algorithms: algs as string[] };
}

/** PyJWKClient's filter: keys with a kid whose `use` is `sig` or absent. */
function parseJwks(doc: unknown): JWK[] {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw fetchProblem("JWKS has no keys array");
  const signing = keys.filter(
    (k): k is JWK =>
      k !== null &&
      typeof k === "object" &&
      typeof (k as JWK).kty === "string" &&
      typeof (k as JWK).kid === "string" &&
      ((k as JWK).use === undefined || (k as JWK).use === "sig"),
  );
  if (signing.length === 0) throw fetchProblem("JWKS contains no signing keys");
  return signing;
}

async function fetchEntry(issuerUri: string, now: number): Promise<Entry> {
  const url = new URL(issuerUri);
  const discovery = parseDiscovery(
    await fetchJson(`${issuerUri.replace(/\/+$/, "")}/.well-known/openid-configuration`),
    url,
  );
  const keys = parseJwks(await fetchJson(discovery.jwksUri));
  return { discovery, keys, fetchedAt: now, refetches: [] };
}

/**
 * The issuer's discovery and keys (cached for 10 minutes). Never throws: an
 * issuer whose discovery is down or malformed is a refusal, not a server error.
 */
export async function loadOidcProvider(issuerUri: string, now: number): Promise<ProviderResult> {
  let entry = cache.get(issuerUri);
  try {
    let url: URL;
    try {
      url = new URL(issuerUri);
    } catch {
      return { ok: false, reason: "issuer URI is not a URL" };
    }
    if (!isAllowedIssuerUrl(url)) return { ok: false, reason: "issuer URI must use https" };
    if (!entry || now - entry.fetchedAt > CACHE_TTL_MS) {
      entry = await fetchEntry(issuerUri, now);
      cache.set(issuerUri, entry);
    }
  } catch (err) {
    const reason = err instanceof DomainError && err.reason ? err.reason : `unexpected: ${String(err)}`;
    log("warn", "oidc provider unavailable", { issuerUri, reason });
    return { ok: false, reason };
  }
  const current = entry;
  return {
    ok: true,
    provider: {
      discovery: current.discovery,
      async resolveKey(kid) {
        const known = current.keys.find((k) => k.kid === kid);
        if (known) return known;
        const t = Date.now();
        current.refetches = current.refetches.filter((at) => t - at < REFETCH_WINDOW_MS);
        if (current.refetches.length >= REFETCH_BUDGET) return undefined;
        current.refetches.push(t);
        try {
          current.keys = parseJwks(await fetchJson(current.discovery.jwksUri));
        } catch (err) {
          log("warn", "jwks refetch failed", { issuerUri, reason: String(err) });
          return undefined;
        }
        return current.keys.find((k) => k.kid === kid);
      },
    },
  };
}
