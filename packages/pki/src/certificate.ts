// Parsing and checking of certificates (ours and client-presented ones).
import { digestHex, toHex } from "./bytes";
import { parsePemBlocks } from "./pem";
import { x509 } from "./x509";

/** Parses the first CERTIFICATE block of `pem`. Throws TypeError if there is none or it is not a certificate. */
export function parseCertificate(pem: string): x509.X509Certificate {
  const block = parsePemBlocks(pem)?.find((b) => b.label === "CERTIFICATE");
  if (!block) throw new TypeError("no CERTIFICATE PEM block");
  try {
    return new x509.X509Certificate(block.der);
  } catch {
    throw new TypeError("CERTIFICATE block is not a valid X.509 certificate");
  }
}

/**
 * Key identifier of a CA certificate, used as the authorityKeyIdentifier of everything it
 * signs: its own subjectKeyIdentifier when present, else the RFC 5280 §4.2.1.2 method (1)
 * value (SHA-1 of the subjectPublicKey BIT STRING).
 */
export async function keyIdentifierOf(cert: x509.X509Certificate): Promise<string> {
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return ski.keyId.toLowerCase();
  return toHex(await cert.publicKey.getKeyIdentifier());
}

/**
 * Throws TypeError unless `cert` may issue certificates: RFC 5280 §6.1.4 (k) basicConstraints
 * cA=TRUE and, when keyUsage is present, (n) keyCertSign.
 */
export function assertIssuerCertificate(cert: x509.X509Certificate): void {
  if (!isIssuerCertificate(cert)) throw new TypeError("issuer certificate is not a CA certificate with keyCertSign");
}

function isIssuerCertificate(cert: x509.X509Certificate): boolean {
  const basic = cert.getExtension(x509.BasicConstraintsExtension);
  if (!basic?.ca) return false;
  const usage = cert.getExtension(x509.KeyUsagesExtension);
  return !usage || (usage.usages & x509.KeyUsageFlags.keyCertSign) !== 0;
}

/** Parsed facts about a certificate, e.g. one a client presented. */
export interface CertificateInfo {
  /** Lowercase hex of the serial number without the DER sign octet. */
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hex SHA-1 of the DER. */
  fingerprintSha1: string;
  /** Lowercase hex SHA-256 of the DER. */
  fingerprintSha256: string;
  /** RFC 4514 string of the subject DN. */
  subject: string;
  /** First CN of the subject, "" when there is none. */
  commonName: string;
  /** First spiffe:// URI in the subjectAltName, if any. */
  spiffeId?: string;
}

/** Parses a certificate PEM into CertificateInfo. Throws TypeError if `pem` is not a certificate. */
export async function certificateInfo(pem: string): Promise<CertificateInfo> {
  const cert = parseCertificate(pem);
  const info: CertificateInfo = {
    serialHex: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    fingerprintSha1: await digestHex("SHA-1", cert.rawData),
    fingerprintSha256: await digestHex("SHA-256", cert.rawData),
    subject: cert.subject,
    commonName: cert.subjectName.getField("CN")[0] ?? "",
  };
  const spiffeId = sanUris(cert).find((uri) => uri.toLowerCase().startsWith("spiffe://"));
  if (spiffeId !== undefined) info.spiffeId = spiffeId;
  return info;
}

/** URIs of the subjectAltName extension (empty when absent or unparseable). */
export function sanUris(cert: x509.X509Certificate): string[] {
  try {
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    return san ? san.names.items.filter((n) => n.type === x509.URL).map((n) => n.value) : [];
  } catch {
    return [];
  }
}

/**
 * True when `issuerCertPem` issued `certPem`: the issuer is a CA certificate (RFC 5280
 * §6.1.4 (k),(n)), names chain (§6.1.3 (a)(4): issuer DN = issuer's subject DN), the
 * authorityKeyIdentifier, when present, matches the issuer's key identifier (§4.2.1.1), and
 * the signature verifies with the issuer's public key (§6.1.3 (a)(1)). Validity periods are
 * not checked. Never throws: unparseable input yields false.
 */
export async function verifyIssuedBy(certPem: string, issuerCertPem: string): Promise<boolean> {
  try {
    const cert = parseCertificate(certPem);
    const issuer = parseCertificate(issuerCertPem);
    if (!isIssuerCertificate(issuer) || cert.issuer !== issuer.subject) return false;
    const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension);
    if (aki?.keyId && aki.keyId.toLowerCase() !== (await keyIdentifierOf(issuer))) return false;
    return await cert.verify({ publicKey: issuer, signatureOnly: true });
  } catch {
    return false;
  }
}

/**
 * The subject public key of a certificate as a verify-only CryptoKey: ECDSA
 * (P-256/P-384) or RSASSA-PKCS1-v1_5 SHA-256. Used to check agent proofs signed
 * with the host's key. Returns undefined for any other key type.
 */
export async function certificatePublicKey(
  pem: string,
): Promise<{ key: CryptoKey; alg: "ES256" | "ES384" | "RS256" } | undefined> {
  const cert = parseCertificate(pem);
  const spki = cert.publicKey.rawData;
  const algName = cert.publicKey.algorithm.name;
  if (algName === "ECDSA") {
    const curve = (cert.publicKey.algorithm as { namedCurve?: string }).namedCurve;
    if (curve !== "P-256" && curve !== "P-384") return undefined;
    const key = await crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: curve }, false, ["verify"]);
    return { key, alg: curve === "P-256" ? "ES256" : "ES384" };
  }
  if (algName === "RSASSA-PKCS1-v1_5" || algName === "RSA-PSS" || algName === "RSA-OAEP") {
    const key = await crypto.subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, [
      "verify",
    ]);
    return { key, alg: "RS256" };
  }
  return undefined;
}
