/**
 * Opaque bearer values: random, meaningless to the holder, looked up server-side.
 * Each carries at least 122 random bits (RFC 6749 §10.10 asks for tokens that
 * cannot be guessed; OWASP asks ≥ 64 bits for session identifiers).
 */
import { randomBytes, randomFromAlphabet, randomHex, toBase64Url } from "./crypto";

const ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Refresh token: 32 random bytes as 64 lowercase hex characters. */
export function newRefreshToken(): string {
  return randomHex(32);
}

/** Session token: a random UUIDv4 (RFC 9562 §5.4), the shape of a Ziti `zt-session` token. */
export function newSessionToken(): string {
  return crypto.randomUUID();
}

/** Polling token: 64 characters from 0-9a-zA-Z (~381 bits). */
export function newPollingToken(): string {
  return randomFromAlphabet(64, ALPHANUMERIC);
}

/** One-time ticket: 32 random bytes, unpadded base64url (43 characters). */
export function newTicket(): string {
  return toBase64Url(randomBytes(32));
}
