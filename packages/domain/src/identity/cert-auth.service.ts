import { and, eq } from "drizzle-orm";
import { audit } from "../audit/audit.service";
import { activeCertificateBySha256 } from "../pki/certificates.service";
import { authenticators, identities } from "../schema";
import type { DomainContext } from "../shared/context";
import { authenticateByCaCertificate } from "../ziti/ca-enrollment.service";
import type { TlsClientCertFields } from "../ziti/client-cert";

/** What Cloudflare's mTLS puts in `request.cf.tlsClientAuth` (only the fields we rely on). */
export type TlsClientAuth = TlsClientCertFields;

/**
 * Certificate authentication (Ziti `?method=cert`): the edge verified the
 * client certificate (`certVerified: SUCCESS`) and its SHA-256 fingerprint
 * names one of our active certificates with a `cert` authenticator. Revoked or
 * expired certificates fail here on the very next request. A certificate of
 * a registered third-party CA authenticates through its fingerprint-only
 * authenticator while that CA allows authentication (no `certificate` then).
 */
export async function authenticateByCertificate(ctx: DomainContext, tls: TlsClientAuth | undefined) {
  const sha = tls?.certFingerprintSHA256?.toLowerCase().replace(/:/g, "");
  if (tls?.certPresented !== "1" || tls.certVerified !== "SUCCESS" || !sha || !/^[0-9a-f]{64}$/.test(sha))
    return undefined;
  const cert = await activeCertificateBySha256(ctx, sha);
  if (!cert?.identityId) {
    const thirdParty = await authenticateByCaCertificate(ctx, tls);
    if (thirdParty) return { ...thirdParty, certificate: undefined };
    await audit(ctx, {
      action: "auth.login",
      outcome: "failure",
      detail: { method: "cert", reason: "unknown_or_revoked_certificate" },
    });
    return undefined;
  }
  const row = await ctx.db
    .select()
    .from(authenticators)
    .innerJoin(identities, eq(authenticators.identityId, identities.id))
    .where(and(eq(authenticators.certificateId, cert.id), eq(authenticators.method, "cert")))
    .get();
  if (!row || row.identities.disabled) return undefined;
  return { identity: row.identities, authenticatorId: row.authenticators.id, certificate: cert };
}
