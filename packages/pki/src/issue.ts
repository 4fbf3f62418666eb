// End-entity certificate issuance. The CA decides every field itself (RFC 5280 §4.1,
// §4.2.1): nothing a requester asked for in a CSR, beyond its public key and an allowed CN,
// reaches the certificate.

import { AsnConvert, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import * as asn from "@peculiar/asn1-x509";
import * as asn1js from "asn1js";
import { digestHex, fromHex } from "./bytes";
import type { CaSigner } from "./ca";
import { assertIssuerCertificate, keyIdentifierOf, parseCertificate } from "./certificate";
import { caSigningAlgorithm, exportDer, generateP256KeyPair, isRsaKey, namedCurveOf } from "./keys";
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
  /** Its public key, imported for the key-pair check. */
  verifyKey: CryptoKey;
  /** Its subject as parsed ASN.1: the issuer field of everything it signs, byte for byte (RFC 5280 §4.1.2.4). */
  name: asn.Name;
}

/**
 * What issuance needs from the issuing CA's certificate, derived once per certificate (PEM)
 * and isolate instead of on every issue: the parse, the CA check, the key identifier, the
 * imported public key and the subject name. A failure is not remembered; a few issuers at
 * most (rotation).
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
      const name = AsnConvert.parse(cert.rawData, asn.Certificate).tbsCertificate.subject;
      return { cert, keyId: await keyIdentifierOf(cert), verifyKey, name };
    })();
    if (issuers.size >= ISSUERS_MAX) issuers.clear();
    issuers.set(certPem, facts);
    facts.catch(() => issuers.delete(certPem));
  }
  return facts;
}

/**
 * Sign-then-verify, once per key pair and isolate: the issuer's private key must sign what
 * the issuer certificate's public key verifies, or nothing is issued ("does not match"). A
 * certificate is then signed by that same key object, so checking its signature again on every
 * issue (a parse of the new certificate and an ECDSA verify) proves nothing more.
 */
const pairs = new WeakMap<CryptoKey, Map<string, Promise<boolean>>>();
const PROBE = new TextEncoder().encode("fleetgate issuer key-pair check");

function keyPairMatches(privateKey: CryptoKey, certPem: string, facts: IssuerFacts): Promise<boolean> {
  let byCert = pairs.get(privateKey);
  if (!byCert) {
    byCert = new Map();
    pairs.set(privateKey, byCert);
  }
  let matches = byCert.get(certPem);
  if (!matches) {
    const algorithm = caSigningAlgorithm(privateKey);
    matches = crypto.subtle
      .sign(algorithm, privateKey, PROBE)
      .then((signature) => crypto.subtle.verify(algorithm, facts.verifyKey, signature, PROBE));
    if (byCert.size >= ISSUERS_MAX) byCert.clear();
    byCert.set(certPem, matches);
    const cache = byCert;
    matches.catch(() => cache.delete(certPem));
  }
  return matches;
}

/**
 * Extensions whose value depends only on the key (the text of `key`), built once per isolate
 * as parsed ASN.1: each certificate's TBS takes the same object. A few dozen at most (issuer,
 * CRL URL, kind); the cache starts over past FIXED_MAX.
 */
const fixed = new Map<string, asn.Extension>();
const FIXED_MAX = 64;

function fixedExtension(key: string, build: () => x509.Extension): asn.Extension {
  let ext = fixed.get(key);
  if (!ext) {
    ext = AsnConvert.parse(build().rawData, asn.Extension);
    if (fixed.size >= FIXED_MAX) fixed.clear();
    fixed.set(key, ext);
  }
  return ext;
}

/** An extension whose value is the DER of `value` (RFC 5280 §4.1: extnValue is an OCTET STRING of it). */
function extension(extnID: string, critical: boolean, value: unknown): asn.Extension {
  return new asn.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/**
 * The subject DN: one RDN with one CN, a PrintableString when the value allows it and a
 * UTF8String otherwise (RFC 5280 §4.1.2.6, as @peculiar/x509 chooses for a JSON name).
 */
function subjectName(commonName: string): asn.Name {
  const value = x509.Name.isPrintableString(commonName)
    ? new asn.AttributeValue({ printableString: commonName })
    : new asn.AttributeValue({ utf8String: commonName });
  return new asn.Name([new asn.RelativeDistinguishedName([new asn.AttributeTypeAndValue({ type: CN_OID, value })])]);
}
const CN_OID = "2.5.4.3";

/** ECDSA signature algorithm identifiers (ecdsa-with-SHA256/384, RFC 5758 §3.2), once per hash. */
const signatureAlgorithms = new Map<string, asn.AlgorithmIdentifier>();

function signatureAlgorithmOf(hash: "SHA-256" | "SHA-384"): asn.AlgorithmIdentifier {
  let id = signatureAlgorithms.get(hash);
  if (!id) {
    const found = new x509.EcAlgorithm().toAsnAlgorithm({ name: "ECDSA", hash: { name: hash } });
    if (!found) throw new TypeError(`no signature algorithm for ECDSA ${hash}`);
    id = found;
    signatureAlgorithms.set(hash, id);
  }
  return id;
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

  const facts = await issuerFacts(issuer.certPem);
  const { cert: issuerCert, keyId: issuerKeyId, name: issuerName } = facts;
  const now = floorToSecond(options.now ?? new Date());
  const notBefore = backdate(now);
  const notAfter = clampNotAfter(new Date(now.getTime() + Math.round(lifetimeSeconds) * 1000), issuerCert);
  if (notAfter.getTime() <= now.getTime()) throw new RangeError("issuing CA has expired");

  const sans = [new asn.GeneralName({ uniformResourceIdentifier: spiffeIdFor(trustDomain, identityId) })];
  if (kind === "server")
    for (const name of options.dnsNames ?? []) sans.push(new asn.GeneralName({ dNSName: name.toLowerCase() }));

  // RFC 5280 §4.2.1.3: ECDSA keys only sign; RSA keys may also transport keys (TLS RSA key exchange).
  let usages = x509.KeyUsageFlags.digitalSignature;
  if (isRsaKey(publicKey)) usages |= x509.KeyUsageFlags.keyEncipherment;
  // RFC 5280 §4.2.1.12: EKU bounds the use of the certificate to TLS client and/or server auth.
  const ekus =
    kind === "server"
      ? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]
      : [x509.ExtendedKeyUsage.clientAuth];

  const serialHex = randomSerialHex();
  const spki = AsnConvert.parse(await exportDer("spki", publicKey), asn.SubjectPublicKeyInfo);
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING.
  const keyId = await crypto.subtle.digest("SHA-1", spki.subjectPublicKey);
  const algorithm = caSigningAlgorithm(issuer.privateKey);
  const signatureAlgorithm = signatureAlgorithmOf(algorithm.hash);
  const subject = subjectName(commonName);
  const tbs = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: fromHex(serialHex).buffer as ArrayBuffer,
    signature: signatureAlgorithm,
    // RFC 5280 §4.1.2.4: issuer = the issuing CA's subject, byte for byte.
    issuer: issuerName,
    validity: new asn.Validity({ notBefore, notAfter }),
    // A name built from its value is never parsed as a DN string, so a CN like "a,O=evil" stays one CN value.
    subject,
    subjectPublicKeyInfo: spki,
    extensions: new asn.Extensions([
      // RFC 5280 §4.2.1.9 lets end-entity certificates carry basicConstraints; an explicit,
      // critical cA=FALSE leaves no relying party room to treat this key as a CA.
      fixedExtension("basic", () => new x509.BasicConstraintsExtension(false, undefined, true)),
      fixedExtension(`ku:${usages}`, () => new x509.KeyUsagesExtension(usages, true)),
      fixedExtension(`eku:${ekus.join(",")}`, () => new x509.ExtendedKeyUsageExtension(ekus, false)),
      // RFC 5280 §4.2.1.6: the SPIFFE URI (and DNS names) identify the subject.
      extension(asn.id_ce_subjectAltName, false, new asn.SubjectAlternativeName(sans)),
      extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(keyId)),
      // RFC 5280 §4.2.1.1: key identifier of the issuing CA, for path building.
      fixedExtension(`aki:${issuerKeyId}`, () => new x509.AuthorityKeyIdentifierExtension(issuerKeyId)),
      // RFC 5280 §4.2.1.13: where relying parties fetch revocation status.
      fixedExtension(`crl:${crlUrl}`, () => new x509.CRLDistributionPointsExtension([crlUrl])),
    ]),
  });
  // Refuse to sign with a key the issuer certificate does not certify.
  if (!(await keyPairMatches(issuer.privateKey, issuer.certPem, facts))) {
    throw new TypeError("issuer private key does not match the issuer certificate");
  }
  // One ASN.1 tree for the TBS: encoded here to be signed, and again inside the certificate.
  const tbsBlock = AsnSerializer.toASN(tbs);
  const tbsDer = tbsBlock.toBER(false);
  const signature = await crypto.subtle.sign(algorithm, issuer.privateKey, tbsDer);
  // WebCrypto's r||s → DER ECDSA-Sig-Value (RFC 5758 §3.2), by the library's own formatter.
  const signatureValue = new x509.AsnEcSignatureFormatter().toAsnSignature(
    { name: algorithm.name, namedCurve: namedCurveOf(issuer.privateKey) },
    signature,
  );
  if (!signatureValue) throw new TypeError("cannot encode the ECDSA signature");
  // RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }.
  const der = new asn1js.Sequence({
    value: [tbsBlock, AsnSerializer.toASN(signatureAlgorithm), new asn1js.BitString({ valueHex: signatureValue })],
  }).toBER(false);

  return {
    certPem: derToPem(der, "CERTIFICATE"),
    serialHex,
    fingerprintSha1: await digestHex("SHA-1", der),
    fingerprintSha256: await digestHex("SHA-256", der),
    notBefore,
    notAfter,
    subject: new x509.Name(subject).toString(),
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
