import { x509 } from "./x509";

/** What a CRL says about itself: its number of entries and validity period. */
export interface CrlInfo {
  revokedCount: number;
  thisUpdate: Date;
  /** Absent when the CRL has no nextUpdate (RFC 5280 §5.1.2.5 makes it optional in the syntax). */
  nextUpdate: Date | undefined;
  issuer: string;
}

/** Parses a PEM CRL. Throws when `pem` is not a CRL. */
export function crlInfo(pem: string): CrlInfo {
  const crl = new x509.X509Crl(pem);
  return {
    revokedCount: crl.entries.length,
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate ?? undefined,
    issuer: crl.issuer,
  };
}
