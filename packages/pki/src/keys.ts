// Narrow WebCrypto helpers: workerd's typings return unions for generateKey/exportKey.
import { toBytes } from "./bytes";

/** The only algorithm Fleetgate CA keys and server-generated host keys use. */
export const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

/** Generates an extractable ECDSA P-256 key pair (sign/verify). */
export async function generateP256KeyPair(): Promise<CryptoKeyPair> {
  const keys = await crypto.subtle.generateKey(EC_P256, true, ["sign", "verify"]);
  if (!("privateKey" in keys)) throw new TypeError("expected a key pair");
  return keys;
}

/** Exports a key as DER (`spki` or `pkcs8`). */
export async function exportDer(format: "spki" | "pkcs8", key: CryptoKey): Promise<ArrayBuffer> {
  const exported = await crypto.subtle.exportKey(format, key);
  if (!(exported instanceof ArrayBuffer)) throw new TypeError(`exportKey(${format}) did not return DER`);
  return exported;
}

/** Named curve of an EC key, or undefined for other key types. */
export function namedCurveOf(key: CryptoKey): string | undefined {
  const algorithm = key.algorithm;
  return "namedCurve" in algorithm ? algorithm.namedCurve : undefined;
}

/** Modulus size in bits of an RSA key, or undefined for other key types. */
export function modulusLengthOf(key: CryptoKey): number | undefined {
  const algorithm = key.algorithm;
  return "modulusLength" in algorithm ? algorithm.modulusLength : undefined;
}

/**
 * True when an RSA key's public exponent is odd and at least 3 (CA/Browser Forum BR
 * §6.1.6; e = 1 would make any "signature" verify). False for other key types.
 */
export function hasSaneRsaExponent(key: CryptoKey): boolean {
  const algorithm = key.algorithm;
  if (!("publicExponent" in algorithm)) return false;
  const e = toBytes(algorithm.publicExponent);
  const start = e.findIndex((b) => b !== 0);
  if (start < 0) return false;
  const significant = e.subarray(start);
  const last = significant[significant.length - 1] ?? 0;
  return last % 2 === 1 && (significant.length > 1 || last >= 3);
}

/** True for RSA keys of any WebCrypto RSA algorithm. */
export function isRsaKey(key: CryptoKey): boolean {
  return key.algorithm.name.startsWith("RSA");
}

/**
 * ECDSA signing parameters for a CA private key: the hash matches the curve size
 * (P-256 → SHA-256, P-384 → SHA-384). Throws TypeError for any other key.
 */
export function caSigningAlgorithm(privateKey: CryptoKey): { name: "ECDSA"; hash: "SHA-256" | "SHA-384" } {
  const curve = namedCurveOf(privateKey);
  if (privateKey.algorithm.name !== "ECDSA" || privateKey.type !== "private" || !privateKey.usages.includes("sign")) {
    throw new TypeError("CA signing key must be an ECDSA private key with the sign usage");
  }
  if (curve === "P-256") return { name: "ECDSA", hash: "SHA-256" };
  if (curve === "P-384") return { name: "ECDSA", hash: "SHA-384" };
  throw new TypeError(`unsupported CA curve ${curve ?? "unknown"}`);
}
