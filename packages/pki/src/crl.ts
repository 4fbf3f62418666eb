// X.509 v2 certificate revocation lists (RFC 5280 §5), signed by the issuing CA.

import type { CaSigner } from "./ca";
import { assertIssuerCertificate, keyIdentifierOf, parseCertificate } from "./certificate";
import { derUnsignedInteger } from "./der";
import { caSigningAlgorithm } from "./keys";
import { derToPem } from "./pem";
import { floorToSecond } from "./validity";
import { x509 } from "./x509";

/** RFC 5280 §5.3.1 CRLReason values a Fleetgate CA uses (removeFromCRL and aACompromise are not). */
export type RevocationReason =
  | "unspecified"
  | "keyCompromise"
  | "caCompromise"
  | "affiliationChanged"
  | "superseded"
  | "cessationOfOperation"
  | "certificateHold"
  | "privilegeWithdrawn";

/** RFC 5280 §5.3.1 CRLReason ENUMERATED codes (7 is unused). */
export const REVOCATION_REASON_CODES: Readonly<Record<RevocationReason, number>> = {
  unspecified: 0,
  keyCompromise: 1,
  caCompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
};

/** One revoked certificate. */
export interface RevokedEntry {
  /** Serial as hex (as in IssuedCert.serialHex). */
  serialHex: string;
  revokedAt: Date;
  reason: RevocationReason;
}

/** Options of buildCrl. */
export interface BuildCrlOptions {
  /** The CA that issued the revoked certificates (RFC 5280 §5.1.2.3: the CRL issuer). */
  issuer: CaSigner;
  revoked: RevokedEntry[];
  thisUpdate: Date;
  /** RFC 5280 §5.1.2.5: conforming CRL issuers MUST include nextUpdate. */
  nextUpdate: Date;
  /** Monotonically increasing CRL number (RFC 5280 §5.2.3). */
  crlNumber: number;
}

const ID_CE_CRL_NUMBER = "2.5.29.20";

/** Canonical serial hex: lowercase, even length, no redundant leading zero octets. */
function normalizeSerialHex(serialHex: string): string {
  const hex = serialHex.toLowerCase().replace(/^(00)+(?=..)/, "");
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > 40) throw new TypeError(`invalid serial: ${serialHex}`);
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

/** Builds and signs an X.509 v2 CRL; returns it as "X509 CRL" PEM. Throws on invalid options. */
export async function buildCrl(options: BuildCrlOptions): Promise<string> {
  const { issuer, revoked, crlNumber } = options;
  const thisUpdate = floorToSecond(options.thisUpdate);
  const nextUpdate = floorToSecond(options.nextUpdate);
  if (nextUpdate.getTime() <= thisUpdate.getTime()) throw new RangeError("nextUpdate must be after thisUpdate");
  if (!Number.isSafeInteger(crlNumber) || crlNumber < 0)
    throw new RangeError("crlNumber must be a non-negative integer");

  const issuerCert = parseCertificate(issuer.certPem);
  assertIssuerCertificate(issuerCert);
  // RFC 5280 §5.3.3 note / §4.2.1.3: the CRL signer's key must be allowed to sign CRLs.
  const usage = issuerCert.getExtension(x509.KeyUsagesExtension);
  if (usage && (usage.usages & x509.KeyUsageFlags.cRLSign) === 0) throw new TypeError("issuer lacks cRLSign");

  const seen = new Set<string>();
  const entries: x509.X509CrlEntryParams[] = revoked.map((entry) => {
    const serialNumber = normalizeSerialHex(entry.serialHex);
    if (seen.has(serialNumber)) throw new TypeError(`serial listed twice: ${entry.serialHex}`);
    seen.add(serialNumber);
    const code = REVOCATION_REASON_CODES[entry.reason];
    if (code === undefined) throw new TypeError(`unknown revocation reason: ${entry.reason}`);
    // RFC 5280 §5.3.1: the reasonCode extension SHOULD be absent rather than carry
    // unspecified (0); @peculiar/x509 omits it for a falsy reason.
    return { serialNumber, revocationDate: floorToSecond(entry.revokedAt), reason: code };
  });

  const crl = await x509.X509CrlGenerator.create({
    // RFC 5280 §5.1.2.3: the issuer field is the CRL issuer's subject DN.
    issuer: issuerCert.subjectName,
    thisUpdate,
    nextUpdate,
    entries,
    extensions: [
      // RFC 5280 §5.2.1: AKI MUST be included in all CRLs; keyIdentifier = issuer's SKI.
      new x509.AuthorityKeyIdentifierExtension(await keyIdentifierOf(issuerCert)),
      // RFC 5280 §5.2.3: conforming CRL issuers MUST include the (non-critical) CRL number.
      new x509.Extension(ID_CE_CRL_NUMBER, false, derUnsignedInteger(crlNumber)),
    ],
    signingKey: issuer.privateKey,
    signingAlgorithm: caSigningAlgorithm(issuer.privateKey),
  });
  if (!(await crl.verify({ publicKey: issuerCert }))) {
    throw new TypeError("issuer private key does not match the issuer certificate");
  }
  return derToPem(crl.rawData, "X509 CRL");
}
