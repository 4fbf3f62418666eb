/**
 * Password hashing: HMAC-SHA256 with a server-side pepper, then PBKDF2-SHA256
 * (RFC 8018 §5.2) with a per-password random salt. Plus the password policy of
 * Linux Patch Manager's `validate_password_strength`.
 */
import { decodeSecretB64, fromBase64Url, randomBytes, timingSafeEqualBytes, toBase64Url, utf8 } from "./crypto";

/**
 * PBKDF2 iteration count. 100 000 is the most Cloudflare's production runtime
 * accepts (deriveBits fails above it there, although local workerd does not enforce
 * the limit), so this cannot be raised on Workers. A test pins it.
 */
export const PBKDF2_ITERATIONS = 100_000;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = "pbkdf2-sha256";

/** Longest accepted password, in UTF-8 bytes; bounds the hashing work per attempt. */
export const PASSWORD_MAX_LENGTH = 1024;
/** Shortest accepted password, in UTF-8 bytes (as LPM's Rust `str::len`). */
export const PASSWORD_MIN_LENGTH = 8;

const SPECIAL_CHARS = "!@#$%^&*()_+-=[]{}|;:,.<>?";

/**
 * Returns null when `pw` satisfies the policy, else the first failing rule's message.
 * Same rules, order and messages as LPM's `validate_password_strength`; lengths are
 * UTF-8 bytes like Rust's `str::len`, and the letter/digit classes are ASCII only.
 */
export function checkPasswordPolicy(pw: string): string | null {
  const length = utf8(pw).length;
  if (length < PASSWORD_MIN_LENGTH) return "Password must be at least 8 characters";
  if (length > PASSWORD_MAX_LENGTH) return "Password must be at most 1024 characters";
  if (!/[A-Z]/.test(pw)) return "Password must contain at least one uppercase letter";
  if (!/[a-z]/.test(pw)) return "Password must contain at least one lowercase letter";
  if (!/[0-9]/.test(pw)) return "Password must contain at least one digit";
  if (![...pw].some((c) => SPECIAL_CHARS.includes(c))) {
    return "Password must contain at least one special character (!@#$%^&*()_+-=[]{}|;:,.<>?)";
  }
  return null;
}

/**
 * HMAC-SHA256(pepper, password) then PBKDF2-SHA256(that, salt, iterations). The
 * pepper lives only in Worker secrets, so a leaked database alone cannot be
 * brute-forced; pre-hashing also makes PBKDF2's cost independent of password length.
 */
async function derive(password: string, pepperB64: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  const pepper = decodeSecretB64(pepperB64, "PASSWORD_PEPPER");
  const hmacKey = await crypto.subtle.importKey("raw", pepper, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const peppered = await crypto.subtle.sign("HMAC", hmacKey, utf8(password));
  const base = await crypto.subtle.importKey("raw", peppered, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    base,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

/** Hashes a password to `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`. */
export async function hashPassword(password: string, pepperB64: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, pepperB64, salt, PBKDF2_ITERATIONS);
  return `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

function parseStored(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return null;
  const iterText = parts[1] ?? "";
  // Canonical decimal only, and never above what production can compute (a larger
  // count would throw there; here it is simply a malformed hash).
  if (!/^[1-9][0-9]{0,8}$/.test(iterText)) return null;
  const iterations = Number(iterText);
  if (iterations > PBKDF2_ITERATIONS) return null;
  const salt = fromBase64Url(parts[2] ?? "");
  const hash = fromBase64Url(parts[3] ?? "");
  if (salt === null || hash === null || salt.length !== SALT_BYTES || hash.length !== HASH_BYTES) return null;
  return { iterations, salt, hash };
}

/** True when `password` matches `stored`; false on mismatch or a malformed stored hash. Constant-time compare. */
export async function verifyPassword(password: string, stored: string, pepperB64: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (parsed === null) return false;
  const candidate = await derive(password, pepperB64, parsed.salt, parsed.iterations);
  return timingSafeEqualBytes(candidate, parsed.hash);
}

// A well-formed hash at the current cost that no password is known to match.
const BURN_HASH = `${SCHEME}$${PBKDF2_ITERATIONS}$${toBase64Url(new Uint8Array(SALT_BYTES))}$${toBase64Url(new Uint8Array(HASH_BYTES))}`;

/**
 * Does exactly the work of one `verifyPassword` and discards the result. Call it when
 * the username does not exist, so the response time does not reveal which accounts
 * exist (OWASP Authentication Cheat Sheet, "Authentication Responses").
 */
export async function burnPasswordCheck(pepperB64: string): Promise<void> {
  await verifyPassword("fleetgate-burn", BURN_HASH, pepperB64);
}
