/**
 * Byte encodings, hashing, constant-time comparison, key derivation (HKDF),
 * authenticated encryption (AES-256-GCM) and HMAC, all on WebCrypto so they run
 * unchanged inside workerd.
 */

import { deriveLedgerKeys, type LedgerKeys } from "./ledger-keys";

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array<ArrayBuffer> {
  // Copied so the result is typed as backed by a plain ArrayBuffer, which WebCrypto wants.
  return new Uint8Array(encoder.encode(s));
}

/** `n` cryptographically random bytes. */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomBytes: invalid length ${n}`);
  const out = new Uint8Array(n);
  // getRandomValues refuses more than 65536 bytes per call (WebCrypto §10.1.1).
  for (let off = 0; off < n; off += 65536) {
    crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  }
  return out;
}

/**
 * `n` characters drawn uniformly from `alphabet` (at most 256 symbols). Rejection
 * sampling drops the bytes above the largest multiple of the alphabet size, so no
 * symbol is more likely than another (no modulo bias).
 */
export function randomFromAlphabet(n: number, alphabet: string): string {
  const size = alphabet.length;
  if (size < 2 || size > 256) throw new RangeError("randomFromAlphabet: alphabet must have 2..256 symbols");
  const limit = 256 - (256 % size);
  let out = "";
  while (out.length < n) {
    for (const b of randomBytes(n - out.length + 8)) {
      if (b >= limit) continue;
      out += alphabet.charAt(b % size);
      if (out.length === n) break;
    }
  }
  return out;
}

function bytesToBinary(bytes: Uint8Array): string {
  let bin = "";
  // Chunked so String.fromCharCode never sees a huge argument list.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return bin;
}

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function toBase64Url(bytes: Uint8Array): string {
  return btoa(bytesToBinary(bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes unpadded base64url (RFC 4648 §5); null on any other input. Only the
 * canonical encoding is accepted (RFC 4648 §3.5: the unused trailing bits must be
 * zero), so one byte string has exactly one textual form and a signature or
 * token cannot be altered into a second string that still verifies.
 */
export function fromBase64Url(s: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return toBase64Url(out) === s ? out : null;
}

/**
 * Decodes a base64 secret from configuration (standard or url-safe alphabet,
 * padding optional). Throws when it is not base64 or shorter than `minBytes`:
 * a bad secret is a deployment error that must stop the Worker at startup.
 */
export function decodeSecretB64(value: string, name: string, minBytes = 32): Uint8Array<ArrayBuffer> {
  const bytes = fromBase64Url(value.trim().replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"));
  if (bytes === null) throw new Error(`${name} is not valid base64`);
  if (bytes.length < minBytes) {
    throw new Error(`${name} must be base64 of at least ${minBytes} bytes (got ${bytes.length})`);
  }
  return bytes;
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Lowercase hex of `nBytes` random bytes (2 × nBytes characters). */
export function randomHex(nBytes: number): string {
  return toHex(randomBytes(nBytes));
}

/** SHA-256 of a string (UTF-8) or bytes, as lowercase hex. */
export async function sha256Hex(input: string | Uint8Array): Promise<string> {
  const data = typeof input === "string" ? utf8(input) : new Uint8Array(input);
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}

/** Portable constant-time equality of two equal-length byte arrays (XOR-accumulate, no early exit). */
export function xorEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Constant-time equality of byte arrays. Uses workerd's `crypto.subtle.timingSafeEqual`
 * when present. On a length mismatch it still compares `a` with itself, so the work
 * done depends only on the length of `a`, never on where the contents differ.
 */
export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  const sameLength = a.length === b.length;
  const other = sameLength ? b : a;
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: unknown };
  const equal =
    typeof subtle.timingSafeEqual === "function" ? crypto.subtle.timingSafeEqual(a, other) : xorEqual(a, other);
  return sameLength && equal;
}

/** Constant-time string equality (UTF-8); different lengths give false without a content-dependent early exit. */
export function timingSafeEqual(a: string, b: string): boolean {
  return timingSafeEqualBytes(utf8(a), utf8(b));
}

/** The purpose-bound keys derived from MASTER_KEY. */
export interface DerivedKeys {
  /** AES-256-GCM: wraps JWT signing keys and the CA private key. */
  wrap: CryptoKey;
  /** AES-256-GCM: encrypts settings values and TOTP secrets at rest. */
  data: CryptoKey;
  /** HMAC-SHA256: signs download URLs. */
  urlSign: CryptoKey;
  /** The audit ledger's chain and checkpoint keys (ledger-keys.ts). */
  ledger: LedgerKeys;
}

/** HKDF `info` labels; changing one makes everything encrypted under the old key unreadable. */
export const HKDF_INFO = {
  wrap: "fleetgate/wrap/v1",
  data: "fleetgate/data/v1",
  urlSign: "fleetgate/url-sign/v1",
} as const;

/**
 * Derives the wrap, data and URL-signing keys from the base64 master key with
 * HKDF-SHA256 (RFC 5869). Each key gets its own `info` label (§3.2) so they are
 * independent. The salt is empty (§3.1 allows it; HashLen zero bytes are used):
 * the master key is already uniformly random, so extraction needs no salt.
 * Throws when the master key is not base64 of ≥ 32 bytes (a configuration error).
 */
export async function deriveKeys(masterKeyB64: string): Promise<DerivedKeys> {
  const ikm = decodeSecretB64(masterKeyB64, "MASTER_KEY");
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveKey", "deriveBits"]);
  const hkdf = (info: string) => ({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8(info) });
  const aes = (info: string) =>
    crypto.subtle.deriveKey(hkdf(info), base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const [wrap, data, urlSign, ledger] = await Promise.all([
    aes(HKDF_INFO.wrap),
    aes(HKDF_INFO.data),
    crypto.subtle.deriveKey(hkdf(HKDF_INFO.urlSign), base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, [
      "sign",
      "verify",
    ]),
    deriveLedgerKeys(base),
  ]);
  return { wrap, data, urlSign, ledger };
}

const IV_BYTES = 12;
const GCM_TAG_BYTES = 16;

function gcmParams(iv: Uint8Array<ArrayBuffer>, aad: string | undefined) {
  return aad === undefined ? { name: "AES-GCM", iv } : { name: "AES-GCM", iv, additionalData: utf8(aad) };
}

/**
 * AES-256-GCM encryption to `v1.<iv b64url>.<ciphertext+tag b64url>`. The IV is 96
 * fresh random bits per message (NIST SP 800-38D §8.2.2); `aad` binds the ciphertext
 * to its context (e.g. the row it belongs to) without being stored in it.
 */
export async function encrypt(key: CryptoKey, plaintext: string, aad?: string): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const ct = new Uint8Array(await crypto.subtle.encrypt(gcmParams(iv, aad), key, utf8(plaintext)));
  return `v1.${toBase64Url(iv)}.${toBase64Url(ct)}`;
}

/** Decrypts a token from `encrypt`; null when the format, key, AAD or any byte is wrong. */
export async function decrypt(key: CryptoKey, token: string, aad?: string): Promise<string | null> {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "v1") return null;
  const iv = fromBase64Url(parts[1] ?? "");
  const ct = fromBase64Url(parts[2] ?? "");
  if (iv === null || ct === null || iv.length !== IV_BYTES || ct.length < GCM_TAG_BYTES) return null;
  try {
    const pt = await crypto.subtle.decrypt(gcmParams(iv, aad), key, ct);
    // ignoreBOM keeps a leading U+FEFF, so decryption returns exactly what was encrypted.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(pt);
  } catch {
    return null;
  }
}

function messageBytes(message: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof message === "string" ? utf8(message) : new Uint8Array(message);
}

/** HMAC-SHA256 (RFC 2104) of `message`, base64url. */
export async function hmacSign(key: CryptoKey, message: string | Uint8Array): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, messageBytes(message))));
}

/** Checks an `hmacSign` signature; `crypto.subtle.verify` compares in constant time. */
export async function hmacVerify(key: CryptoKey, message: string | Uint8Array, sig: string): Promise<boolean> {
  const mac = fromBase64Url(sig);
  if (mac === null) return false;
  try {
    return await crypto.subtle.verify("HMAC", key, mac, messageBytes(message));
  } catch {
    return false;
  }
}
