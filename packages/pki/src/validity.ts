// Validity-period helpers (RFC 5280 §4.1.2.5: times are encoded to the second).
import type { x509 } from "./x509";

/** Clock skew tolerated by relying parties: notBefore is set this far in the past. */
export const CLOCK_SKEW_MS = 60_000;

/** Drops the milliseconds, which X.509 Time cannot carry. */
export function floorToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** notBefore for a certificate issued at `now`. */
export function backdate(now: Date): Date {
  return new Date(now.getTime() - CLOCK_SKEW_MS);
}

/** A certificate must not outlive its issuer: path validation (RFC 5280 §6.1.3 (a)(2)) would fail after that. */
export function clampNotAfter(notAfter: Date, issuer: x509.X509Certificate): Date {
  return notAfter.getTime() > issuer.notAfter.getTime() ? new Date(issuer.notAfter.getTime()) : notAfter;
}
