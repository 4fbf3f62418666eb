/**
 * One-time MFA recovery codes. Only their SHA-256 is stored: each code carries
 * 50 random bits, far beyond guessing range, so a slow hash adds nothing.
 */
import { randomFromAlphabet, sha256Hex } from "./crypto";

/** Base32 upper-case alphabet (RFC 4648 §6): no 0/1/8/9, so no O/0 or I/1 confusion. */
export const RECOVERY_CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** Characters per recovery code (10 × 5 bits = 50 bits). */
export const RECOVERY_CODE_LENGTH = 10;

/** `n` distinct random recovery codes of 10 base32 characters each. */
export function generateRecoveryCodes(n = 10): string[] {
  const codes = new Set<string>();
  while (codes.size < n) codes.add(randomFromAlphabet(RECOVERY_CODE_LENGTH, RECOVERY_CODE_ALPHABET));
  return [...codes];
}

/** Canonical form of a typed code: upper case, whitespace and dashes removed. */
export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "");
}

/** SHA-256 hex of the normalised code, for storage and lookup. */
export function hashRecoveryCode(code: string): Promise<string> {
  return sha256Hex(normalizeRecoveryCode(code));
}
