// Degenerate "certs-only" CMS SignedData (RFC 5652 §5), the format of EST's
// /cacerts response (RFC 7030 §4.1.3) that OpenZiti serves at /.well-known/est/cacerts.
import { toBase64 } from "./bytes";
import { derOid, derTlv, derUnsignedInteger, TAG } from "./der";
import { parsePemBlocks } from "./pem";
import { x509 } from "./x509";

const ID_SIGNED_DATA = "1.2.840.113549.1.7.2";
const ID_DATA = "1.2.840.113549.1.7.1";

/** Certificate DERs from PEM strings, each of which may itself hold several certificates. */
function certificateDers(certPems: string[]): Uint8Array[] {
  const ders: Uint8Array[] = [];
  for (const pem of certPems) {
    const blocks = parsePemBlocks(pem);
    if (!blocks || blocks.length === 0) throw new TypeError("malformed certificate PEM");
    for (const block of blocks) {
      if (block.label !== "CERTIFICATE") throw new TypeError(`unexpected PEM block ${block.label}`);
      new x509.X509Certificate(block.der); // throws on anything that is not a certificate
      ders.push(block.der);
    }
  }
  if (ders.length === 0) throw new TypeError("no certificates");
  return ders;
}

/**
 * DER of a certs-only SignedData ContentInfo holding the given certificates in order.
 * Same shape as `openssl crl2pkcs7 -nocrl`: version 1, no digest algorithms, id-data
 * encapsulated content without eContent, the certificates, no CRLs, no signerInfos.
 */
export function certsOnlyPkcs7(certPems: string[]): Uint8Array {
  const certificates = certificateDers(certPems);
  const signedData = derTlv(
    TAG.sequence,
    derUnsignedInteger(1), // CMSVersion 1: only X.509 certificates, id-data content (RFC 5652 §5.1)
    derTlv(TAG.set), // digestAlgorithms: empty
    derTlv(TAG.sequence, derOid(ID_DATA)), // encapContentInfo: eContent absent (degenerate)
    // certificates [0] IMPLICIT CertificateSet, kept in the caller's order (as OpenSSL
    // does) so leaf-to-root chains stay ordered for clients that care.
    derTlv(TAG.context0, ...certificates),
    derTlv(TAG.set), // signerInfos: empty
  );
  // ContentInfo (RFC 5652 §3): contentType id-signedData, content [0] EXPLICIT.
  return derTlv(TAG.sequence, derOid(ID_SIGNED_DATA), derTlv(TAG.context0, signedData));
}

/**
 * Body of an EST /cacerts response (RFC 7030 §4.1.3, application/pkcs7-mime with base64
 * transfer encoding): base64 of certsOnlyPkcs7, 64 characters per line, "\n" separators,
 * no trailing newline — byte-for-byte what OpenZiti serves.
 */
export function estCacertsBody(certPems: string[]): string {
  return (toBase64(certsOnlyPkcs7(certPems)).match(/.{1,64}/g) ?? []).join("\n");
}
