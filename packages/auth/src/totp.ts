/**
 * TOTP (RFC 6238) on the `otpauth` library: SHA-1, 6 digits, 30-second steps,
 * the parameters every authenticator app supports.
 */
import { HOTP, Secret, TOTP } from "otpauth";
import { randomBytes } from "./crypto";

const ALGORITHM = "SHA1";
const DIGITS = 6;
const PERIOD = 30;
const SECRET_BYTES = 20;
// Bounds the per-attempt HMAC work and keeps the acceptance window meaningful.
const MAX_WINDOW = 10;

/** A new TOTP secret: base32 (RFC 4648 §6, unpadded) of 20 random bytes, the HMAC-SHA1 key size RFC 4226 §4 recommends. */
export function generateTotpSecret(): string {
  return new Secret({ buffer: randomBytes(SECRET_BYTES).buffer }).base32;
}

function parseSecret(secretBase32: string): Secret | null {
  try {
    const secret = Secret.fromBase32(secretBase32);
    return secret.bytes.length > 0 ? secret : null;
  } catch {
    return null;
  }
}

/** `otpauth://totp/<issuer>:<account>?...` provisioning URI (Key Uri Format) with issuer and label URL-encoded. */
export function totpUri({ issuer, account, secret }: { issuer: string; account: string; secret: string }): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD,
  }).toString();
}

/** The TOTP time step (RFC 6238 §4.2, T) for a time in milliseconds. */
export function totpStep(now: number = Date.now()): number {
  return TOTP.counter({ period: PERIOD, timestamp: now });
}

/** The code for `now` (ms); for tests and enrollment previews. */
export function currentTotp(secret: string, now: number = Date.now()): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD,
    timestamp: now,
  });
}

/** Result of `verifyTotp`: the accepted time step, which the caller must store as the new `lastStep`. */
export type TotpResult = { ok: true; step: number } | { ok: false };

/**
 * Verifies a 6-digit code against the current step ± `window` (default 1, for clock
 * drift, RFC 6238 §5.2). Steps ≤ `lastStep` are never accepted: a code that was used
 * once must not be accepted again (RFC 6238 §5.2), and neither may an older one.
 * Pass `lastStep: 0` for a user who has never used a code.
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  opts: { now?: number; lastStep: number; window?: number },
): TotpResult {
  const window = opts.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > MAX_WINDOW) {
    throw new RangeError(`verifyTotp: window must be an integer in 0..${MAX_WINDOW}`);
  }
  if (!/^[0-9]{6}$/.test(code)) return { ok: false };
  const secret = parseSecret(secretBase32);
  if (secret === null) return { ok: false };
  const current = totpStep(opts.now ?? Date.now());
  let accepted: number | null = null;
  // Every step in the window is checked (no early exit), so the time taken does not
  // reveal which step matched; the newest matching step wins.
  for (let step = current - window; step <= current + window; step++) {
    const match =
      HOTP.validate({ token: code, secret, algorithm: ALGORITHM, digits: DIGITS, counter: step, window: 0 }) === 0;
    if (match && step > opts.lastStep) accepted = step;
  }
  return accepted === null ? { ok: false } : { ok: true, step: accepted };
}
