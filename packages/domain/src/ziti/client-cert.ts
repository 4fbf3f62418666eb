/**
 * What the edge's mTLS tells about a client certificate (`request.cf.tlsClientAuth`,
 * set by Cloudflare, never by client headers). The certificate itself is not
 * available to a Worker: third-party certificates are recognised by these facts.
 */
export interface TlsClientCertFields {
  certPresented?: string;
  certVerified?: string;
  certRevoked?: string;
  certFingerprintSHA1?: string;
  certFingerprintSHA256?: string;
  certIssuerSKI?: string;
  certSubjectDNRFC2253?: string;
  certNotBefore?: string;
  certNotAfter?: string;
}

/** A client certificate the edge verified, normalised. */
export interface ClientCertFacts {
  /** Lowercase hex SHA-1 of the DER (Ziti's authenticator fingerprint). */
  sha1: string;
  /** Lowercase hex SHA-256 of the DER. */
  sha256: string;
  /** Lowercase hex key identifier of the issuing CA. */
  issuerKeyId: string;
  /** The subject's first CN ("" when none). */
  commonName: string;
  notBefore: number;
  notAfter: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Dec 22 19:39:00 2018 GMT` (OpenSSL's ASN1_TIME_print, as the edge reports validity) → epoch ms. */
export function parseEdgeCertTime(value: string | undefined): number | undefined {
  const m = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/.exec(value?.trim() ?? "");
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1] ?? "");
  if (month < 0) return undefined;
  return Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}

/** The first CN of an RFC 2253 DN (`CN=a\,b,O=x` → `a,b`); "" when there is none. */
export function commonNameOf(dn: string | undefined): string {
  for (const part of (dn ?? "").split(/(?<!\\),/)) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim().toUpperCase() === "CN") {
      return part
        .slice(eq + 1)
        .trim()
        .replace(/\\(.)/g, "$1");
    }
  }
  return "";
}

const hex = (v: string | undefined) => (v ?? "").toLowerCase().replace(/[:\s]/g, "");

/**
 * The certificate facts when the edge presented and verified a client
 * certificate (`certVerified: SUCCESS`, not revoked) and reported its
 * fingerprints, issuer key identifier and validity; undefined otherwise.
 */
export function clientCertFacts(tls: TlsClientCertFields | undefined): ClientCertFacts | undefined {
  if (tls?.certPresented !== "1" || tls.certVerified !== "SUCCESS" || tls.certRevoked === "1") return undefined;
  const sha1 = hex(tls.certFingerprintSHA1);
  const sha256 = hex(tls.certFingerprintSHA256);
  const issuerKeyId = hex(tls.certIssuerSKI);
  const notBefore = parseEdgeCertTime(tls.certNotBefore);
  const notAfter = parseEdgeCertTime(tls.certNotAfter);
  if (!/^[0-9a-f]{40}$/.test(sha1) || !/^[0-9a-f]{64}$/.test(sha256) || !/^[0-9a-f]{2,128}$/.test(issuerKeyId))
    return undefined;
  if (notBefore === undefined || notAfter === undefined) return undefined;
  return { sha1, sha256, issuerKeyId, commonName: commonNameOf(tls.certSubjectDNRFC2253), notBefore, notAfter };
}
