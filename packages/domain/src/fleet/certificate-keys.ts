import { type CsrKeyAlgorithm, certificatePublicKey } from "@fleetgate/pki";

type ProofKey = Awaited<ReturnType<typeof certificatePublicKey>>;

/**
 * Public keys of our certificates for checking agent proofs, per isolate and SHA-256
 * fingerprint (lowercase hex): a certificate's key depends only on its bytes, so it is
 * parsed and imported once. The revocation state and expiry are read from D1 on every
 * proof all the same. At most KEY_CACHE_MAX keys (then the cache starts over).
 */
const KEY_CACHE_MAX = 10_000;
const publicKeys = new Map<string, Promise<ProofKey>>();

function remember(sha256: string, key: Promise<ProofKey>): Promise<ProofKey> {
  if (publicKeys.size >= KEY_CACHE_MAX) publicKeys.clear();
  // A failure is not remembered.
  key.catch(() => publicKeys.delete(sha256));
  publicKeys.set(sha256, key);
  return key;
}

/**
 * The proof key of the certificate `certPem` whose SHA-256 fingerprint is `sha256`: imported from
 * `publicKeyJwk` (stored beside the certificate at issue) when there is one, else parsed out of
 * the certificate (rows issued before the key was stored, or a JWK this cannot use).
 */
export function cachedPublicKey(sha256: string, certPem: string, publicKeyJwk?: string | null): Promise<ProofKey> {
  const cached = publicKeys.get(sha256);
  if (cached) return cached;
  const fromJwk = publicKeyJwk ? importProofJwk(publicKeyJwk) : undefined;
  return remember(sha256, fromJwk ? fromJwk.catch(() => certificatePublicKey(certPem)) : certificatePublicKey(certPem));
}

/** An EC P-256/P-384 or RSA public JWK as a proof key (only its public members are used); undefined for anything else. */
function importProofJwk(text: string): Promise<ProofKey> | undefined {
  let jwk: JsonWebKey;
  try {
    jwk = JSON.parse(text) as JsonWebKey;
  } catch {
    return undefined;
  }
  if (jwk.kty === "EC" && (jwk.crv === "P-256" || jwk.crv === "P-384") && jwk.x && jwk.y) {
    const curve = jwk.crv;
    return crypto.subtle
      .importKey("jwk", { kty: "EC", crv: curve, x: jwk.x, y: jwk.y }, { name: "ECDSA", namedCurve: curve }, false, [
        "verify",
      ])
      .then((key) => ({ key, alg: curve === "P-256" ? ("ES256" as const) : ("ES384" as const) }));
  }
  if (jwk.kty === "RSA" && jwk.n && jwk.e) {
    return crypto.subtle
      .importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e }, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, [
        "verify",
      ])
      .then((key) => ({ key, alg: "RS256" as const }));
  }
  return undefined;
}

const PROOF_ALG: Record<"EC P-256" | "EC P-384", "ES256" | "ES384"> = { "EC P-256": "ES256", "EC P-384": "ES384" };

/**
 * A certificate this isolate just issued for a CSR's (verified) public key: the key the proof
 * check would parse out of it is that same key, so it is remembered now and the host's first
 * connect to this isolate skips parsing its certificate. RSA keys are left to the parse.
 */
export function rememberIssuedKey(sha256: string, publicKey: CryptoKey, keyAlgorithm: CsrKeyAlgorithm): void {
  if (keyAlgorithm !== "EC P-256" && keyAlgorithm !== "EC P-384") return;
  remember(sha256, Promise.resolve({ key: publicKey, alg: PROOF_ALG[keyAlgorithm] }));
}
