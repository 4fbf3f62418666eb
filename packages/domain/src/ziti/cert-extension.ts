/**
 * When Fleetgate asks an SDK to extend its certificate authenticator
 * (`ziti-authenticator-extend-requested: true` on `POST /authenticate?method=cert`):
 * the network-issued certificate it authenticated with is past half its
 * lifetime (or already expired by the clock, which mTLS would normally refuse).
 * The SDK then calls `/current-identity/authenticators/{id}/extend` and
 * `extend-verify` while the old certificate still works.
 */
export function certExtendRequested(cert: { notBefore: number; notAfter: number }, now: number): boolean {
  const lifetime = cert.notAfter - cert.notBefore;
  if (lifetime <= 0) return true;
  return now - cert.notBefore >= lifetime / 2;
}
