import { decodeProtectedHeader, jwtVerify } from "jose";

/** `typ` of agent proofs (contract/agent/protocol.ts). */
export const PROOF_TYP = "fleetgate-agent-proof+jwt";
export const PROOF_MAX_LIFETIME_SECONDS = 60;
const PROOF_ALGS = ["ES256", "ES384", "RS256"];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export type ProofFailure = "malformed" | "unknown_key" | "bad_signature" | "expired" | "audience" | "lifetime";
export type ProofResult =
  | { ok: true; thumbprint: string; jti: string; exp: number }
  | { ok: false; reason: ProofFailure };

/**
 * Verifies a certificate-bound proof JWT (an RFC 7515 JWS whose header names the
 * signer's certificate by `x5t#S256`, §4.1.8). `resolve` maps the thumbprint to the
 * certificate's public key only if that certificate may authenticate now. Checks:
 * typ, alg allowlist (the key's own algorithm), signature, `aud`, `exp`, a
 * lifetime ≤ 60 s, and a UUID `jti` (the caller enforces single use).
 */
export async function verifyProof(
  token: string,
  resolve: (thumbprint: string) => Promise<{ key: CryptoKey; alg: string } | undefined>,
  opts: { audience: string; now?: number },
): Promise<ProofResult> {
  if (token.length > 8192) return { ok: false, reason: "malformed" };
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const thumb = header["x5t#S256"];
  if (header.typ !== PROOF_TYP || typeof thumb !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(thumb)) {
    return { ok: false, reason: "malformed" };
  }
  if (typeof header.alg !== "string" || !PROOF_ALGS.includes(header.alg)) return { ok: false, reason: "malformed" };
  const resolved = await resolve(thumb);
  if (!resolved) return { ok: false, reason: "unknown_key" };
  if (resolved.alg !== header.alg) return { ok: false, reason: "bad_signature" };
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  try {
    const { payload } = await jwtVerify(token, resolved.key, {
      algorithms: [resolved.alg],
      audience: opts.audience,
      currentDate: new Date(now * 1000),
      clockTolerance: 5,
      requiredClaims: ["exp", "iat", "jti", "aud"],
      typ: PROOF_TYP,
    });
    const exp = payload.exp ?? 0;
    const iat = payload.iat ?? 0;
    if (exp - iat > PROOF_MAX_LIFETIME_SECONDS || iat > now + 5) return { ok: false, reason: "lifetime" };
    if (typeof payload.jti !== "string" || !UUID.test(payload.jti)) return { ok: false, reason: "malformed" };
    return { ok: true, thumbprint: thumb, jti: payload.jti, exp };
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    if (code === "ERR_JWT_EXPIRED") return { ok: false, reason: "expired" };
    if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && String((err as { claim?: string }).claim) === "aud") {
      return { ok: false, reason: "audience" };
    }
    if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return { ok: false, reason: "bad_signature" };
    return { ok: false, reason: "malformed" };
  }
}
