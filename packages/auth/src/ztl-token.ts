/**
 * Zentral-format API tokens: `ztl` + kind (`u` user, `s` service) + `_` + 30 random
 * base62 characters + a 6-character base62 CRC32 checksum of everything before it.
 * The checksum lets malformed or mistyped tokens be refused without touching the
 * database and lets secret scanners recognise leaked tokens.
 */
import { crc32 } from "./crc32";
import { randomFromAlphabet, sha256Hex, utf8 } from "./crypto";

/** Base62 alphabet in Zentral's order: digits, lower case, upper case. */
export const ZTL_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const RANDOM_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
/** Total token length: `ztlX_` (5) + 30 random + 6 checksum. */
export const ZTL_TOKEN_LENGTH = 5 + RANDOM_LENGTH + CHECKSUM_LENGTH;
const SHAPE = /^ztl[us]_[0-9a-zA-Z]{36}$/;

/** Token kind: `u` for a user's token, `s` for a service account's. */
export type ZtlKind = "u" | "s";

/** Base62 (most significant digit first) of CRC32(utf8(body)), left-padded with "0" to 6 characters. */
export function ztlChecksum(body: string): string {
  let n = crc32(utf8(body));
  let out = "";
  while (n > 0) {
    out = ZTL_ALPHABET.charAt(n % 62) + out;
    n = Math.floor(n / 62);
  }
  // 62^6 > 2^32, so six characters always suffice.
  return out.padStart(CHECKSUM_LENGTH, "0");
}

/** A new random token of the given kind (41 characters, ~178 random bits). */
export function generateZtlToken(kind: ZtlKind): string {
  const body = `ztl${kind}_${randomFromAlphabet(RANDOM_LENGTH, ZTL_ALPHABET)}`;
  return body + ztlChecksum(body);
}

/** Checks length, character set, prefix and checksum; cheap enough to run before any lookup. */
export function parseZtlToken(s: string): { ok: true; kind: ZtlKind } | { ok: false } {
  if (s.length !== ZTL_TOKEN_LENGTH || !SHAPE.test(s)) return { ok: false };
  const body = s.slice(0, -CHECKSUM_LENGTH);
  if (ztlChecksum(body) !== s.slice(-CHECKSUM_LENGTH)) return { ok: false };
  return { ok: true, kind: s.charAt(3) === "u" ? "u" : "s" };
}

/** SHA-256 hex of an API token, the form stored and looked up (the token has enough entropy for a fast hash). */
export function hashApiToken(secret: string): Promise<string> {
  return sha256Hex(secret);
}
