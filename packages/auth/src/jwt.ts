/**
 * Access tokens: compact JWS JWTs (RFC 7519) signed with Ed25519 (EdDSA, RFC 8037)
 * or ES256, via `jose`. Verification follows RFC 8725 (JWT BCP): the algorithm is
 * checked against an allowlist before any key is touched, the key is chosen by
 * `kid`, and iss/aud/exp are mandatory.
 */
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import { rememberVerification, reuseVerification, verifiedHeader } from "./verified-tokens";

export type { JWK, JWTPayload } from "jose";

/** Asymmetric signature algorithms this package issues and accepts. */
export type SigningAlg = "EdDSA" | "ES256";

/** A freshly generated signing key pair, both halves as JWKs carrying `kid` and `alg`. */
export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  privateJwk: JWK;
}

/** Why `verifyJwt` refused a token. */
export type JwtFailure = "malformed" | "unknown_kid" | "bad_signature" | "expired" | "claims" | "alg";

export type VerifyJwtResult = { ok: true; payload: JWTPayload; kid: string } | { ok: false; reason: JwtFailure };

// Key shape each algorithm requires (RFC 8037 §3.1 for Ed25519, RFC 7518 §3.4 for P-256).
const KEY_SHAPE: Record<SigningAlg, { kty: string; crv: string }> = {
  EdDSA: { kty: "OKP", crv: "Ed25519" },
  ES256: { kty: "EC", crv: "P-256" },
};

/** Refuses tokens larger than this before parsing anything (bounds work on hostile input). */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** Allowed clock skew between issuer and verifier, in seconds. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 5;

function isSigningAlg(alg: unknown): alg is SigningAlg {
  return alg === "EdDSA" || alg === "ES256";
}

/** Only the public members of a JWK (RFC 7517 §4, RFC 8037 §2, RFC 7518 §6.2.1). */
function publicMembers(jwk: JWK): JWK {
  const out: JWK = { kty: jwk.kty };
  if (jwk.crv !== undefined) out.crv = jwk.crv;
  if (jwk.x !== undefined) out.x = jwk.x;
  if (jwk.y !== undefined) out.y = jwk.y;
  return out;
}

function algForKey(jwk: JWK): SigningAlg | null {
  for (const alg of ["EdDSA", "ES256"] as const) {
    const shape = KEY_SHAPE[alg];
    if (jwk.kty === shape.kty && jwk.crv === shape.crv) return alg;
  }
  return null;
}

/** Generates a signing key pair; `kid` is the RFC 7638 SHA-256 JWK thumbprint of the public key. */
export async function generateSigningKey(alg: SigningAlg = "EdDSA"): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const pub = publicMembers(await exportJWK(publicKey));
  const kid = await calculateJwkThumbprint(pub, "sha256");
  const publicJwk: JWK = { ...pub, kid, alg };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg };
  return { kid, alg, publicJwk, privateJwk };
}

/** Options for `signJwt`; `now` (ms) exists for tests and defaults to the current time. */
export interface SignJwtOptions {
  issuer: string;
  audience: string | string[];
  ttlSeconds: number | null;
  subject: string;
  jti?: string;
  now?: number;
}

/**
 * Signs `claims` as a JWT with header `{alg, kid, typ: "JWT"}` and sets iss, aud, sub,
 * iat, exp = iat + ttlSeconds and jti (a random UUID unless given). The registered
 * claims from the options override any of the same name in `claims`.
 */
export async function signJwt(
  privateJwk: JWK,
  kid: string,
  alg: SigningAlg,
  claims: Record<string, unknown>,
  opts: SignJwtOptions,
): Promise<string> {
  if (opts.ttlSeconds !== null && (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds <= 0)) {
    throw new RangeError("signJwt: ttlSeconds must be a positive integer (or null for no exp)");
  }
  const key = await importedKey(privateJwk, alg, "private");
  const iat = Math.floor((opts.now ?? Date.now()) / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: "JWT" })
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setSubject(opts.subject)
    .setIssuedAt(iat)
    .setJti(opts.jti ?? crypto.randomUUID());
  // `null`: no `exp` — only for OpenZiti network JWTs, which are public bootstrap documents.
  if (opts.ttlSeconds !== null) jwt.setExpirationTime(iat + opts.ttlSeconds);
  return jwt.sign(key);
}

/** Options for `verifyJwt`; `now` (ms) exists for tests and defaults to the current time. */
export interface VerifyJwtOptions {
  issuer: string;
  audience: string | string[];
  algorithms: readonly SigningAlg[];
  now?: number;
}

function failure(reason: JwtFailure): VerifyJwtResult {
  return { ok: false, reason };
}

/**
 * Imported keys, per isolate: a JWK object handed out by a resolver or the active
 * signing-key cache (which keep it) is imported once per algorithm, not on every
 * request or signature. Keyed weakly on the JWK object, so a key its holder drops is
 * forgotten too. Verification always imports the public members only.
 */
const imported = new WeakMap<JWK, Map<string, Promise<Awaited<ReturnType<typeof importJWK>>>>>();
function importedKey(
  jwk: JWK,
  alg: string,
  part: "public" | "private" = "public",
): Promise<Awaited<ReturnType<typeof importJWK>>> {
  const byAlg = imported.get(jwk) ?? new Map<string, Promise<Awaited<ReturnType<typeof importJWK>>>>();
  imported.set(jwk, byAlg);
  const cacheKey = `${part}:${alg}`;
  let key = byAlg.get(cacheKey);
  if (!key) {
    key = importJWK(part === "public" ? publicMembers(jwk) : jwk, alg);
    // A failed import is not cached: the next request tries again.
    key.catch(() => byAlg.delete(cacheKey));
    byAlg.set(cacheKey, key);
  }
  return key;
}

/**
 * Verifies a compact JWT. Order matters (RFC 8725 §2.1, §3.1): the header `alg` must be
 * in `algorithms` (so `none`, HS256 and any algorithm confusion die here, before a key
 * is even looked up), `kid` must be present, the resolved key must have the shape that
 * algorithm requires, and only then is the signature checked, followed by iss, aud and
 * exp (all required) with a 5-second clock tolerance.
 */
export async function verifyJwt(
  token: string,
  resolveKey: (kid: string) => Promise<JWK | undefined>,
  opts: VerifyJwtOptions,
): Promise<VerifyJwtResult> {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH || token.split(".").length !== 3) {
    return failure("malformed");
  }
  // A token verified lately: its header (same string, same header) is not decoded again. The key
  // is resolved as always and must be the same object; everything else is `reuseVerification`'s.
  const seen = opts.now === undefined ? verifiedHeader(token, Date.now()) : undefined;
  if (seen && isSigningAlg(seen.alg) && opts.algorithms.includes(seen.alg)) {
    const jwk = await resolveKey(seen.kid);
    const reused = jwk && reuseVerification(token, jwk, seen.alg, opts.issuer, opts.audience, Date.now());
    if (reused) return { ok: true, ...reused };
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return failure("malformed");
  }
  const alg = header.alg;
  if (!isSigningAlg(alg) || !opts.algorithms.includes(alg)) return failure("alg");
  const kid = header.kid;
  if (typeof kid !== "string" || kid === "") return failure("malformed");

  const jwk = await resolveKey(kid);
  if (jwk === undefined) return failure("unknown_kid");
  // The key decides the algorithm, not the token: a key pinned to another alg, or of
  // another type, is refused even if both algorithms are allowed.
  if ((jwk.alg !== undefined && jwk.alg !== alg) || algForKey(jwk) !== alg) return failure("alg");
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importedKey(jwk, alg);
  } catch {
    return failure("unknown_kid");
  }

  // The same token, verified lately against the same key object and claims: reused (verified-tokens.ts).
  const now = Date.now();
  const reused =
    opts.now === undefined ? reuseVerification(token, jwk, alg, opts.issuer, opts.audience, now) : undefined;
  if (reused) return { ok: true, ...reused };

  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: opts.issuer,
      audience: opts.audience,
      algorithms: [alg],
      clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["iss", "aud", "exp"],
      ...(opts.now === undefined ? {} : { currentDate: new Date(opts.now) }),
    });
    if (opts.now === undefined) {
      rememberVerification(
        token,
        jwk,
        alg,
        opts.issuer,
        opts.audience,
        { payload, kid },
        JWT_CLOCK_TOLERANCE_SECONDS,
        now,
      );
    }
    return { ok: true, payload, kid };
  } catch (e) {
    if (e instanceof errors.JWSSignatureVerificationFailed) return failure("bad_signature");
    if (e instanceof errors.JWTExpired) return failure("expired");
    if (e instanceof errors.JWTClaimValidationFailed) return failure("claims");
    if (e instanceof errors.JOSEAlgNotAllowed) return failure("alg");
    return failure("malformed");
  }
}

/**
 * A JWKS document (RFC 7517 §5) for publication: public members only, plus `kid`,
 * `alg` and `use: "sig"`. `alg` is taken from the key or inferred from its type;
 * keys without `kid` or of an unsupported type are programming errors and throw.
 */
export function publicJwks(keys: JWK[]): { keys: JWK[] } {
  return {
    keys: keys.map((jwk) => {
      const alg = algForKey(jwk);
      if (alg === null || (jwk.alg !== undefined && jwk.alg !== alg)) {
        throw new TypeError(`publicJwks: unsupported key type ${jwk.kty}/${jwk.crv}`);
      }
      if (typeof jwk.kid !== "string" || jwk.kid === "") throw new TypeError("publicJwks: key without kid");
      return { ...publicMembers(jwk), kid: jwk.kid, alg, use: "sig" };
    }),
  };
}
