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

/** The proof key of the certificate `certPem` whose SHA-256 fingerprint is `sha256`. */
export function cachedPublicKey(sha256: string, certPem: string): Promise<ProofKey> {
  return publicKeys.get(sha256) ?? remember(sha256, certificatePublicKey(certPem));
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
