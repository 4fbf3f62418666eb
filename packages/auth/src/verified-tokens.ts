import type { JWK, JWTPayload } from "jose";

/** At most this many verified tokens are remembered per isolate (the oldest make room). */
const MAX_ENTRIES = 1024;
/** A remembered verification is reused at most this long, and never past the token's `exp`. */
const REUSE_MS = 60_000;

interface Verified {
  /** The key object the resolver returned when the signature was checked. */
  jwk: JWK;
  /** Algorithm, issuer and audience the token was checked against. */
  checkedFor: string;
  payload: JWTPayload;
  /** The token's header `alg` and `kid` (the same token string has the same header). */
  alg: string;
  kid: string;
  /** Until when (ms) the verification may be reused: min(first use + REUSE_MS, exp + tolerance). */
  until: number;
}

const verified = new Map<string, Verified>();

const purposeOf = (alg: string, issuer: string, audience: string | string[]) => JSON.stringify([alg, issuer, audience]);

/**
 * Per isolate, the tokens whose signature and claims were verified lately:
 * a client (the dashboard, a script) sends the same access token with every
 * request, and re-checking an Ed25519/ES256 signature over the same bytes with
 * the same key proves nothing new. A remembered result is reused only for the
 * exact same token string, checked against the same algorithm, issuer and
 * audience, while the key resolver still hands out the same key object (a
 * retired or rotated key is a different object, or none, after the resolver's
 * own cache time), and never past the token's `exp` (with the clock tolerance)
 * nor longer than a minute. Everything else — revocation, disabled identities —
 * is checked by the caller on every request as before.
 */
export function reuseVerification(
  token: string,
  jwk: JWK,
  alg: string,
  issuer: string,
  audience: string | string[],
  now: number,
): { payload: JWTPayload; kid: string } | undefined {
  const hit = verified.get(token);
  if (!hit) return undefined;
  if (hit.until <= now || hit.jwk !== jwk || hit.checkedFor !== purposeOf(alg, issuer, audience)) {
    verified.delete(token);
    return undefined;
  }
  return { payload: { ...hit.payload }, kid: hit.kid };
}

/**
 * The header `alg` and `kid` of a token verified lately (still reusable at `now`): a caller
 * may resolve the key and call `reuseVerification` without decoding the header again.
 */
export function verifiedHeader(token: string, now: number): { alg: string; kid: string } | undefined {
  const hit = verified.get(token);
  return hit && hit.until > now ? { alg: hit.alg, kid: hit.kid } : undefined;
}

/** Remembers a successful verification (see `reuseVerification`). */
export function rememberVerification(
  token: string,
  jwk: JWK,
  alg: string,
  issuer: string,
  audience: string | string[],
  result: { payload: JWTPayload; kid: string },
  toleranceSeconds: number,
  now: number,
): void {
  const exp = result.payload.exp;
  if (typeof exp !== "number") return;
  const until = Math.min(now + REUSE_MS, (exp + toleranceSeconds) * 1000);
  if (until <= now) return;
  verified.delete(token);
  verified.set(token, {
    jwk,
    checkedFor: purposeOf(alg, issuer, audience),
    payload: { ...result.payload },
    alg,
    kid: result.kid,
    until,
  });
  while (verified.size > MAX_ENTRIES) {
    const oldest = verified.keys().next().value;
    if (oldest === undefined) break;
    verified.delete(oldest);
  }
}
