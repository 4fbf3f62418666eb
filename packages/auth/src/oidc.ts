/**
 * Verification of third-party OIDC ID tokens (CI token exchange), following
 * Zentral's rules (zentral.md §5, PyJWT semantics) and RFC 8725 (JWT BCP):
 * the header `alg` must be in the issuer's advertised list minus `none` and be
 * an asymmetric algorithm we implement; the key is chosen by `kid`; RSA keys
 * must have ≥ 2048-bit moduli; then the signature, and only then the claims:
 * `iss` equal to the configured issuer exactly, `aud` containing the audience,
 * `exp` required, `nbf`/`iat` checked when present, all with a leeway.
 *
 * Every check is reported (for the admin "explain" tool); `ok` is true only
 * when all of them passed.
 */
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK, type JWTPayload } from "jose";
import { fromBase64Url, timingSafeEqual } from "./crypto";

/** Asymmetric JWS algorithms (RFC 7518 §3.1, RFC 8037) accepted for ID tokens. */
export const OIDC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;
/** Zentral's TIMESTAMP_LEEWAY (seconds) for exp, nbf and iat. */
export const OIDC_LEEWAY_SECONDS = 60;
/** PyJWT's enforce_minimum_key_length for RSA (and NIST SP 800-131A). */
export const MIN_RSA_BITS = 2048;
const MAX_TOKEN_LENGTH = 16 * 1024;

export interface OidcCheck {
  check: string;
  ok: boolean;
  detail: string;
  value?: unknown;
}

export interface OidcVerifyInput {
  token: string;
  /** The configured issuer URI; `iss` must equal it character for character. */
  issuer: string;
  audience: string;
  /** `id_token_signing_alg_values_supported` from the issuer's discovery document. */
  advertisedAlgorithms: readonly string[];
  /** Milliseconds since the epoch. */
  now: number;
  leewaySeconds?: number;
  /** When set (OIDC Core §3.1.3.7 step 11), the `nonce` claim must equal it. */
  nonce?: string;
  /** The JWKS key with this `kid`, re-fetching the JWKS once when it is unknown. */
  resolveKey: (kid: string) => Promise<JWK | undefined>;
}

export interface OidcVerifyReport {
  ok: boolean;
  checks: OidcCheck[];
  header: Record<string, unknown> | null;
  /** The payload as sent; verified only when `ok`. */
  claims: JWTPayload | null;
}

const EC_CURVE: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

/** Size in bits of an RSA modulus given as base64url (RFC 7518 §6.3.1.1). */
export function rsaModulusBits(n: unknown): number {
  if (typeof n !== "string") return 0;
  const bytes = fromBase64Url(n);
  if (!bytes) return 0;
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] ?? 0));
}

function keyMatchesAlg(jwk: JWK, alg: string): string | undefined {
  if (jwk.alg !== undefined && jwk.alg !== alg) return `key is pinned to ${jwk.alg}`;
  if (alg.startsWith("RS") || alg.startsWith("PS")) return jwk.kty === "RSA" ? undefined : `${alg} needs an RSA key`;
  if (alg.startsWith("ES"))
    return jwk.kty === "EC" && jwk.crv === EC_CURVE[alg] ? undefined : `${alg} needs an EC ${EC_CURVE[alg]} key`;
  if (alg === "EdDSA") return jwk.kty === "OKP" && jwk.crv === "Ed25519" ? undefined : "EdDSA needs an Ed25519 key";
  return `unsupported algorithm ${alg}`;
}

const isNumericDate = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Verifies an OIDC ID token; see the module comment for the order of checks. */
export async function verifyOidcToken(input: OidcVerifyInput): Promise<OidcVerifyReport> {
  const checks: OidcCheck[] = [];
  const add = (check: string, ok: boolean, detail: string, value?: unknown) =>
    checks.push(value === undefined ? { check, ok, detail } : { check, ok, detail, value });
  const leeway = input.leewaySeconds ?? OIDC_LEEWAY_SECONDS;
  const token = input.token;

  let header: Record<string, unknown> | null = null;
  let claims: JWTPayload | null = null;
  if (typeof token === "string" && token.length <= MAX_TOKEN_LENGTH && token.split(".").length === 3) {
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
      claims = decodeJwt(token);
    } catch {
      header = null;
      claims = null;
    }
  }
  if (!header || !claims) {
    add("format", false, "not a compact JWS JWT (three base64url parts with JSON header and payload)");
    return { ok: false, checks, header, claims: null };
  }
  add("format", true, "compact JWS JWT");

  // Algorithm: advertised by the issuer, never `none`, and one we implement.
  const alg = typeof header.alg === "string" ? header.alg : "";
  const advertised = input.advertisedAlgorithms.filter((a) => a.toUpperCase() !== "NONE");
  let algOk = false;
  if (!alg) add("alg", false, "header has no alg");
  else if (alg.toUpperCase() === "NONE") add("alg", false, "alg none is never accepted", alg);
  else if (!advertised.includes(alg))
    add("alg", false, `not in the issuer's id_token_signing_alg_values_supported (${advertised.join(", ")})`, alg);
  else if (!(OIDC_ALGORITHMS as readonly string[]).includes(alg))
    add("alg", false, "not an asymmetric algorithm Fleetgate verifies", alg);
  else {
    algOk = true;
    add("alg", true, "advertised by the issuer", alg);
  }

  // Key: by kid from the issuer's JWKS, of the algorithm's type, RSA ≥ 2048 bits.
  const kid = typeof header.kid === "string" && header.kid !== "" ? header.kid : undefined;
  let jwk: JWK | undefined;
  if (!kid) add("kid", false, "header has no kid");
  else {
    jwk = await input.resolveKey(kid);
    add(
      "kid",
      jwk !== undefined,
      jwk ? "found in the issuer's JWKS" : "no signing key with this kid in the issuer's JWKS",
      kid,
    );
  }
  let keyOk = false;
  if (jwk && algOk) {
    const mismatch = keyMatchesAlg(jwk, alg);
    if (mismatch) add("key_type", false, mismatch, jwk.kty);
    else if (jwk.kty === "RSA") {
      const bits = rsaModulusBits(jwk.n);
      keyOk = bits >= MIN_RSA_BITS;
      add(
        "key_size",
        keyOk,
        keyOk ? `RSA ${bits} bits` : `RSA ${bits} bits is below the ${MIN_RSA_BITS}-bit minimum`,
        bits,
      );
    } else {
      keyOk = true;
      add("key_size", true, `${jwk.kty} ${jwk.crv}`);
    }
  }

  let signatureOk = false;
  if (jwk && keyOk) {
    try {
      const key = await importJWK(jwk, alg);
      await compactVerify(token, key, { algorithms: [alg] });
      signatureOk = true;
    } catch {
      signatureOk = false;
    }
    add("signature", signatureOk, signatureOk ? "valid" : "does not verify with the issuer's key");
  } else {
    add("signature", false, "not checked: no usable key");
  }

  // Claims (RFC 7519 §4.1), PyJWT semantics with `require: [iss, aud, exp]`.
  const nowS = input.now / 1000;
  if (claims.iss === undefined) add("iss", false, "missing");
  else
    add(
      "iss",
      claims.iss === input.issuer,
      claims.iss === input.issuer ? "equals the configured issuer" : `expected ${input.issuer}`,
      claims.iss,
    );

  const aud = claims.aud;
  if (aud === undefined) add("aud", false, "missing");
  else if (typeof aud !== "string" && !(Array.isArray(aud) && aud.every((a) => typeof a === "string")))
    add("aud", false, "must be a string or an array of strings", aud);
  else {
    const ok = typeof aud === "string" ? aud === input.audience : aud.includes(input.audience);
    add("aud", ok, ok ? "contains the configured audience" : `does not contain ${input.audience}`, aud);
  }

  if (claims.exp === undefined) add("exp", false, "missing");
  else if (!isNumericDate(claims.exp)) add("exp", false, "must be a NumericDate", claims.exp);
  else {
    const ok = claims.exp > nowS - leeway;
    add(
      "exp",
      ok,
      ok
        ? `valid for ${Math.round(claims.exp - nowS)} s more (leeway ${leeway} s)`
        : `expired ${Math.round(nowS - claims.exp)} s ago (leeway ${leeway} s)`,
      claims.exp,
    );
  }
  if (claims.nbf !== undefined) {
    const ok = isNumericDate(claims.nbf) && claims.nbf <= nowS + leeway;
    add(
      "nbf",
      ok,
      ok ? "already valid" : isNumericDate(claims.nbf) ? "not valid yet" : "must be a NumericDate",
      claims.nbf,
    );
  }
  if (claims.iat !== undefined) {
    const ok = isNumericDate(claims.iat) && claims.iat <= nowS + leeway;
    add(
      "iat",
      ok,
      ok ? "not in the future" : isNumericDate(claims.iat) ? "issued in the future" : "must be a NumericDate",
      claims.iat,
    );
  }

  if (input.nonce !== undefined) {
    const ok = typeof claims.nonce === "string" && timingSafeEqual(claims.nonce, input.nonce);
    add("nonce", ok, ok ? "matches the authentication request" : "does not match the authentication request");
  }

  return { ok: checks.every((c) => c.ok), checks, header, claims };
}
