// Third-party CA certificates (OpenZiti `cas`): what is kept of one, and the proof of possession.
import { digestHex } from "./bytes";
import { assertIssuerCertificate, keyIdentifierOf, parseCertificate, verifyIssuedBy } from "./certificate";
import { x509 } from "./x509";

/** Facts kept about a registered third-party CA certificate. */
export interface ThirdPartyCaInfo {
  /** Lowercase hex SHA-1 of the DER (the controller's CA fingerprint). */
  fingerprintSha1: string;
  /** RFC 4514 subject DN. */
  subject: string;
  /** Lowercase hex subjectKeyIdentifier. */
  keyId: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * Parses a CA certificate an admin registers. Throws TypeError unless it is one
 * certificate that may issue (RFC 5280 §6.1.4 (k),(n)) and carries a
 * subjectKeyIdentifier (§4.2.1.2): the edge's mTLS names a client certificate's
 * issuer by that identifier, so a CA without one could never be matched.
 */
export async function thirdPartyCaInfo(pem: string): Promise<ThirdPartyCaInfo> {
  const cert = parseCertificate(pem);
  assertIssuerCertificate(cert);
  if (!cert.getExtension(x509.SubjectKeyIdentifierExtension))
    throw new TypeError("the CA certificate has no subjectKeyIdentifier");
  return {
    fingerprintSha1: await digestHex("SHA-1", cert.rawData),
    subject: cert.subject,
    keyId: await keyIdentifierOf(cert),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/** Why a proof of possession was refused. */
export type CaVerificationError = "not_a_certificate" | "not_issued_by_ca" | "wrong_common_name" | "not_valid_now";

/**
 * OpenZiti's CA verification: `certPem` must be signed by the CA (`caPem`)
 * and carry the CA's verification token as its subject CN, which only the
 * holder of the CA's private key can produce. The certificate must be within
 * its validity period at `now`.
 */
export async function checkCaVerification(
  certPem: string,
  caPem: string,
  token: string,
  now: Date,
): Promise<CaVerificationError | undefined> {
  let cert: x509.X509Certificate;
  try {
    cert = parseCertificate(certPem);
  } catch {
    return "not_a_certificate";
  }
  if (!(await verifyIssuedBy(certPem, caPem))) return "not_issued_by_ca";
  if (cert.notBefore > now || cert.notAfter < now) return "not_valid_now";
  if ((cert.subjectName.getField("CN")[0] ?? "") !== token) return "wrong_common_name";
  return undefined;
}
