import { base64url, calculateJwkThumbprint } from "jose";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** HKDF `info` labels of the audit ledger's keys (changing one invalidates every sealed entry / checkpoint). */
export const LEDGER_HKDF_INFO = {
  chain: "fleetgate/audit-chain/v1",
  checkpoint: "fleetgate/audit-checkpoint-ed25519/v1",
} as const;

/** Public half of the checkpoint key as published (RFC 8037 OKP JWK, RFC 7638 thumbprint as `kid`). */
export interface CheckpointJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  alg: "EdDSA";
  use: "sig";
}

/** The audit ledger's keys, derived from MASTER_KEY so that write access to D1 alone cannot forge them. */
export interface LedgerKeys {
  /** HMAC-SHA256: links sealed entries (non-extractable). */
  chain: CryptoKey;
  /** Ed25519 private key: signs checkpoints (non-extractable). */
  checkpointSigner: CryptoKey;
  /** Ed25519 public key: verifies checkpoints. */
  checkpointVerifier: CryptoKey;
  checkpointJwk: CheckpointJwk;
}

/**
 * PKCS#8 prefix of an Ed25519 private key (RFC 8410 §7): SEQUENCE { version 0,
 * AlgorithmIdentifier { id-Ed25519 1.3.101.112 }, OCTET STRING { OCTET STRING (32 bytes) } }.
 * The 32-byte seed follows it. WebCrypto imports Ed25519 private keys only as PKCS#8 or JWK.
 */
const ED25519_PKCS8_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/**
 * Derives the ledger keys from the HKDF base key of MASTER_KEY (RFC 5869, empty salt
 * as in `deriveKeys`, one `info` label each): the chain key directly, and the
 * checkpoint key pair from a 32-byte seed (RFC 8032 §5.1.5: any 32 random bytes
 * are an Ed25519 private key). `base` must allow `deriveKey` and `deriveBits`.
 */
export async function deriveLedgerKeys(base: CryptoKey): Promise<LedgerKeys> {
  const hkdf = (info: string) => ({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8(info) });
  const chain = await crypto.subtle.deriveKey(
    hkdf(LEDGER_HKDF_INFO.chain),
    base,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
  const seed = new Uint8Array(await crypto.subtle.deriveBits(hkdf(LEDGER_HKDF_INFO.checkpoint), base, 256));
  const pkcs8 = new Uint8Array(ED25519_PKCS8_PREFIX.length + seed.length);
  pkcs8.set(ED25519_PKCS8_PREFIX);
  pkcs8.set(seed, ED25519_PKCS8_PREFIX.length);
  // Extractable only long enough to read the public half; the kept signer is not extractable.
  const extractable = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const jwk = (await crypto.subtle.exportKey("jwk", extractable)) as JsonWebKey;
  const checkpointSigner = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  seed.fill(0);
  pkcs8.fill(0);
  if (typeof jwk.x !== "string") throw new Error("Ed25519 export returned no public key");
  const pub = { kty: "OKP", crv: "Ed25519", x: jwk.x } as const;
  const checkpointVerifier = await crypto.subtle.importKey("jwk", pub, { name: "Ed25519" }, true, ["verify"]);
  const kid = await calculateJwkThumbprint(pub, "sha256");
  return { chain, checkpointSigner, checkpointVerifier, checkpointJwk: { ...pub, kid, alg: "EdDSA", use: "sig" } };
}

/** HMAC-SHA256 of `message` as lowercase hex (the ledger's hash format). */
export async function hmacHex(key: CryptoKey, message: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8(message)));
  let out = "";
  for (const b of mac) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Ed25519 signature (RFC 8032) of `message`, base64url. */
export async function ed25519Sign(key: CryptoKey, message: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, utf8(message))));
}

/** Verifies an `ed25519Sign` signature; false on any malformed input. */
export async function ed25519Verify(key: CryptoKey, message: string, signature: string): Promise<boolean> {
  try {
    const sig = base64url.decode(signature);
    if (sig.length !== 64) return false;
    return await crypto.subtle.verify({ name: "Ed25519" }, key, sig, utf8(message));
  } catch {
    return false;
  }
}
