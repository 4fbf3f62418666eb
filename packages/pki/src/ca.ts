// Fleetgate's certificate authority: an offline-style root and an issuing (intermediate)
// CA, both ECDSA P-256, built per the RFC 5280 §4.2.1 CA-certificate profile.

import { toBytes } from "./bytes";
import { assertIssuerCertificate, keyIdentifierOf, parseCertificate } from "./certificate";
import { caSigningAlgorithm, EC_P256, exportDer, generateP256KeyPair } from "./keys";
import { derToPem } from "./pem";
import { randomSerialHex } from "./serial";
import { backdate, clampNotAfter, floorToSecond } from "./validity";
import { x509 } from "./x509";

/** A CA certificate with the key that signs for it. */
export interface CaSigner {
  certPem: string;
  privateKey: CryptoKey;
}

/** The two-level CA: the root's certificate, and the issuing CA that signs end-entity certificates and CRLs. */
export interface CaChain {
  root: { certPem: string };
  issuing: CaSigner;
}

/** Options of createCa. */
export interface CreateCaOptions {
  /** CN of the CA's subject DN (at most 64 characters, RFC 5280 ub-common-name). */
  commonName: string;
  /** Validity in days from now. */
  days: number;
  /** The root that signs this CA; omitted for a self-signed root. */
  issuer?: CaSigner;
  /** Clock override for tests. */
  now?: Date;
}

/** A freshly created CA: its certificate and its (extractable) key pair. */
export interface CreatedCa {
  certPem: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/**
 * Creates a CA with a new extractable ECDSA P-256 key: a self-signed root without
 * `issuer`, else an issuing CA signed by `issuer` (pathLenConstraint 0, notAfter clamped
 * to the issuer's).
 */
export async function createCa(options: CreateCaOptions): Promise<CreatedCa> {
  const { commonName, days, issuer } = options;
  if (commonName.length === 0 || [...commonName].length > 64)
    throw new RangeError("CA commonName must be 1-64 characters");
  if (!Number.isFinite(days) || days <= 0) throw new RangeError("days must be positive");

  const keys = await generateP256KeyPair();
  const now = floorToSecond(options.now ?? new Date());
  const subject = new x509.Name([{ CN: [commonName] }]);
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);

  let issuerName = subject;
  let signingKey = keys.privateKey;
  let notAfter = new Date(now.getTime() + days * 86_400_000);
  const extensions: x509.Extension[] = [
    // RFC 5280 §4.2.1.9: cA=TRUE, critical in CA certificates. An issuing CA signs only
    // end-entity certificates, so pathLenConstraint 0 forbids further intermediates.
    new x509.BasicConstraintsExtension(true, issuer ? 0 : undefined, true),
    // RFC 5280 §4.2.1.3: a CA key signs certificates and CRLs and nothing else.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    // RFC 5280 §4.2.1.2: SKI MUST appear in CA certificates.
    subjectKeyId,
  ];

  if (issuer) {
    const issuerCert = parseCertificate(issuer.certPem);
    assertIssuerCertificate(issuerCert);
    issuerName = issuerCert.subjectName;
    signingKey = issuer.privateKey;
    notAfter = clampNotAfter(notAfter, issuerCert);
    // RFC 5280 §4.2.1.1: AKI MUST appear in every certificate not self-signed.
    extensions.push(new x509.AuthorityKeyIdentifierExtension(await keyIdentifierOf(issuerCert)));
  }

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject,
    issuer: issuerName,
    notBefore: backdate(now),
    notAfter,
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: caSigningAlgorithm(signingKey),
    extensions,
  });
  // Sign-then-verify: catches an issuer key that does not belong to issuer.certPem.
  const verifier = issuer ? parseCertificate(issuer.certPem) : cert;
  if (!(await cert.verify({ publicKey: verifier, signatureOnly: true }))) {
    throw new TypeError("issuer private key does not match the issuer certificate");
  }
  return { certPem: derToPem(cert.rawData, "CERTIFICATE"), privateKey: keys.privateKey, publicKey: keys.publicKey };
}

/** Exports a private key as PKCS#8 DER (e.g. to wrap it for storage). */
export async function exportPrivateKeyPkcs8(key: CryptoKey): Promise<Uint8Array> {
  return toBytes(await exportDer("pkcs8", key));
}

/** Imports a CA private key from PKCS#8 DER as a non-extractable ECDSA P-256 signing key. */
export async function importCaPrivateKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", toBytes(pkcs8), EC_P256, false, ["sign"]);
}
