// End-entity certificate issuance. The CA decides every field itself (RFC 5280 §4.1,
// §4.2.1): nothing a requester asked for in a CSR, beyond its public key and an allowed CN,
// reaches the certificate.

import { digestHex } from "./bytes";
import type { CaSigner } from "./ca";
import { assertIssuerCertificate, keyIdentifierOf, parseCertificate } from "./certificate";
import { caSigningAlgorithm, exportDer, generateP256KeyPair, isRsaKey } from "./keys";
import { derToPem } from "./pem";
import { randomSerialHex } from "./serial";
import { backdate, clampNotAfter, floorToSecond } from "./validity";
import { x509 } from "./x509";

/** What the certificate is for: agent/API clients, TLS servers, or short-lived session credentials. */
export type CertKind = "client" | "server" | "session";

/** Options of issueCertificate. */
export interface IssueCertificateOptions {
  /** The issuing CA. */
  issuer: CaSigner;
  /** The subject's public key (e.g. ParsedCsr.publicKey). */
  publicKey: CryptoKey;
  /** Subject CN, 1-64 characters (RFC 5280 ub-common-name). */
  commonName: string;
  /** Last path segment of the SPIFFE ID: [A-Za-z0-9._-]+. */
  identityId: string;
  /** SPIFFE trust domain: lowercase [a-z0-9._-]+. */
  trustDomain: string;
  kind: CertKind;
  /** Validity from `now`; clamped so the certificate never outlives its issuer. */
  lifetimeSeconds: number;
  /** HTTP(S) URL of the issuing CA's CRL (cRLDistributionPoints). */
  crlUrl: string;
  /** Extra dNSName SANs; server certificates only. */
  dnsNames?: string[];
  /** Clock override for tests. */
  now?: Date;
}

/** A certificate the CA just issued, with the facts callers record about it. */
export interface IssuedCert {
  certPem: string;
  /** 32 lowercase hex characters (16 octets). */
  serialHex: string;
  /** Lowercase hex SHA-1 of the DER. */
  fingerprintSha1: string;
  /** Lowercase hex SHA-256 of the DER. */
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
  /** RFC 4514 string of the subject DN, "CN=<commonName>". */
  subject: string;
}

interface IssuerFacts {
  cert: x509.X509Certificate;
  /** Its key identifier (the authorityKeyIdentifier of what it signs). */
  keyId: string;
  /** Its public key, imported for the sign-then-verify check. */
  verifyKey: CryptoKey;
}

/**
 * What issuance needs from the issuing CA's certificate, derived once per certificate (PEM)
 * and isolate instead of on every issue: the parse, the CA check, the key identifier and the
 * imported public key. A failure is not remembered; a few issuers at most (rotation).
 */
const issuers = new Map<string, Promise<IssuerFacts>>();
const ISSUERS_MAX = 8;

function issuerFacts(certPem: string): Promise<IssuerFacts> {
  let facts = issuers.get(certPem);
  if (!facts) {
    facts = (async () => {
      const cert = parseCertificate(certPem);
      assertIssuerCertificate(cert);
      // An ECDSA key (caSigningAlgorithm): the hash comes with each verification, not the key.
      const verifyKey = await cert.publicKey.export(cert.publicKey.algorithm, ["verify"]);
      return { cert, keyId: await keyIdentifierOf(cert), verifyKey };
    })();
    if (issuers.size >= ISSUERS_MAX) issuers.clear();
    issuers.set(certPem, facts);
    facts.catch(() => issuers.delete(certPem));
  }
  return facts;
}

/** SPIFFE ID placed in the URI SAN of every certificate we issue. */
export function spiffeIdFor(trustDomain: string, identityId: string): string {
  return `spiffe://${trustDomain}/identity/${identityId}`;
}

// SPIFFE ID format: trust domain chars per the SPIFFE-ID spec §2.1, path segment per §2.2.
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;
const PATH_SEGMENT = /^[A-Za-z0-9._-]{1,128}$/;
// RFC 1035 §2.3.1 preferred name syntax (LDH labels), optional leading "*." wildcard.
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

function validate(options: IssueCertificateOptions): void {
  const { commonName, identityId, trustDomain, kind, lifetimeSeconds, crlUrl, dnsNames = [] } = options;
  if (commonName.length === 0 || [...commonName].length > 64)
    throw new RangeError("commonName must be 1-64 characters");
  if (!TRUST_DOMAIN.test(trustDomain)) throw new TypeError("invalid SPIFFE trust domain");
  if (!PATH_SEGMENT.test(identityId) || identityId === "." || identityId === "..") {
    throw new TypeError("invalid identityId for a SPIFFE path segment");
  }
  if (!Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0)
    throw new RangeError("lifetimeSeconds must be positive");
  if (!/^https?:\/\/[^\s]+$/.test(crlUrl)) throw new TypeError("crlUrl must be an http(s) URL");
  if (kind !== "server" && dnsNames.length > 0) throw new TypeError("dnsNames are only allowed in server certificates");
  for (const name of dnsNames) {
    if (name.length > 253 || !DNS_NAME.test(name)) throw new TypeError(`invalid DNS name: ${name}`);
  }
}

/**
 * Issues an end-entity certificate for `publicKey`, signed by the issuing CA with
 * ECDSA-SHA256. Throws TypeError/RangeError on invalid options (programming errors).
 */
export async function issueCertificate(options: IssueCertificateOptions): Promise<IssuedCert> {
  validate(options);
  const { issuer, publicKey, commonName, identityId, trustDomain, kind, lifetimeSeconds, crlUrl } = options;
  if (publicKey.type !== "public") throw new TypeError("publicKey must be a public key");

  const { cert: issuerCert, keyId: issuerKeyId, verifyKey: issuerVerifyKey } = await issuerFacts(issuer.certPem);
  const now = floorToSecond(options.now ?? new Date());
  const notBefore = backdate(now);
  const notAfter = clampNotAfter(new Date(now.getTime() + Math.round(lifetimeSeconds) * 1000), issuerCert);
  if (notAfter.getTime() <= now.getTime()) throw new RangeError("issuing CA has expired");

  const sans: x509.JsonGeneralNames = [{ type: x509.URL, value: spiffeIdFor(trustDomain, identityId) }];
  if (kind === "server")
    for (const name of options.dnsNames ?? []) sans.push({ type: x509.DNS, value: name.toLowerCase() });

  // RFC 5280 §4.2.1.3: ECDSA keys only sign; RSA keys may also transport keys (TLS RSA key exchange).
  let usages = x509.KeyUsageFlags.digitalSignature;
  if (isRsaKey(publicKey)) usages |= x509.KeyUsageFlags.keyEncipherment;
  // RFC 5280 §4.2.1.12: EKU bounds the use of the certificate to TLS client and/or server auth.
  const ekus =
    kind === "server"
      ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]
      : [x509.ExtendedKeyUsage.clientAuth];

  const serialHex = randomSerialHex();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex,
    // A JSON name is never parsed as a DN string, so a CN like "a,O=evil" stays one CN value.
    subject: new x509.Name([{ CN: [commonName] }]),
    // RFC 5280 §4.1.2.4: issuer = the issuing CA's subject, byte for byte.
    issuer: issuerCert.subjectName,
    notBefore,
    notAfter,
    publicKey,
    signingKey: issuer.privateKey,
    signingAlgorithm: caSigningAlgorithm(issuer.privateKey),
    extensions: [
      // RFC 5280 §4.2.1.9 lets end-entity certificates carry basicConstraints; an explicit,
      // critical cA=FALSE leaves no relying party room to treat this key as a CA.
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usages, true),
      new x509.ExtendedKeyUsageExtension(ekus, false),
      // RFC 5280 §4.2.1.6: the SPIFFE URI (and DNS names) identify the subject.
      new x509.SubjectAlternativeNameExtension(sans, false),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      // RFC 5280 §4.2.1.1: key identifier of the issuing CA, for path building.
      new x509.AuthorityKeyIdentifierExtension(issuerKeyId),
      // RFC 5280 §4.2.1.13: where relying parties fetch revocation status.
      new x509.CRLDistributionPointsExtension([crlUrl]),
    ],
  });
  // Sign-then-verify: refuse to hand out a certificate the issuer's key did not really sign.
  if (!(await cert.verify({ publicKey: issuerVerifyKey, signatureOnly: true }))) {
    throw new TypeError("issuer private key does not match the issuer certificate");
  }

  return {
    certPem: derToPem(cert.rawData, "CERTIFICATE"),
    serialHex,
    fingerprintSha1: await digestHex("SHA-1", cert.rawData),
    fingerprintSha256: await digestHex("SHA-256", cert.rawData),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    subject: cert.subject,
  };
}

/** Options of generateKeyAndCertificate: issueCertificate's, minus the key the server makes. */
export type GenerateKeyAndCertificateOptions = Omit<IssueCertificateOptions, "publicKey">;

/**
 * Legacy no-CSR flow: the server generates an ECDSA P-256 key for the host and issues a
 * certificate for it. `keyPem` is the PKCS#8 private key ("PRIVATE KEY" PEM); the server
 * must not keep it.
 */
export async function generateKeyAndCertificate(
  options: GenerateKeyAndCertificateOptions,
): Promise<IssuedCert & { keyPem: string }> {
  const keys = await generateP256KeyPair();
  const issued = await issueCertificate({ ...options, publicKey: keys.publicKey });
  return { ...issued, keyPem: derToPem(await exportDer("pkcs8", keys.privateKey), "PRIVATE KEY") };
}
