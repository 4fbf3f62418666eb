import { createHash } from "node:crypto";
import { firstCertificateDer } from "./pem";
import { x509 } from "./x509";

/** What the agent needs to know about its own certificate. */
export interface CertInfo {
  der: Buffer;
  subject: string;
  commonName: string | null;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprintSha256: string;
  /** The same digest, base64url: the JWS `x5t#S256` header value (RFC 7515 §4.1.8). */
  x5tS256: string;
  /** DER SubjectPublicKeyInfo of the certified key. */
  spki: Buffer;
}

/** Parses the first certificate of a PEM chain. Throws if there is none or it does not parse. */
export function parseCertificate(pem: string): CertInfo {
  const der = firstCertificateDer(pem);
  if (!der) throw new Error("no CERTIFICATE block");
  const cert = new x509.X509Certificate(new Uint8Array(der));
  const digest = createHash("sha256").update(der).digest();
  return {
    der,
    subject: cert.subject,
    commonName: cert.subjectName.getField("CN")[0] ?? null,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    fingerprintSha256: digest.toString("hex"),
    x5tS256: digest.toString("base64url"),
    spki: Buffer.from(cert.publicKey.rawData),
  };
}

/** The instant after which the certificate should be renewed: when 2/3 of its lifetime has passed. */
export function renewalTime(info: CertInfo): Date {
  const start = info.notBefore.getTime();
  const end = info.notAfter.getTime();
  return new Date(start + ((end - start) * 2) / 3);
}
