import type { AgentCrlReport } from "@fleetgate/contract/agent";
import { parsePem } from "./pem";
import { x509 } from "./x509";

/** RFC 5280 §5.2.3 cRLNumber. */
const ID_CE_CRL_NUMBER = "2.5.29.20";

/** The cRLNumber extension's value (a DER INTEGER, non-negative, at most 20 octets), or null. */
function crlNumberOf(crl: x509.X509Crl): bigint | null {
  const ext = crl.getExtension(ID_CE_CRL_NUMBER);
  if (!ext) return null;
  const der = new Uint8Array(ext.value);
  const len = der[1];
  if (der[0] !== 0x02 || len === undefined || len < 1 || len > 21 || der.length !== 2 + len) return null;
  const body = der.subarray(2);
  if ((body[0] ?? 0) & 0x80) return null;
  return body.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

/**
 * What the agent reports about the CRL it holds (docs/agent-protocol.md): `missing` without
 * one; `invalid` when it does not parse, has no CRL number, or is not signed by one of the
 * CA certificates the agent trusts (`caPem`, from its enrollment); else its number, issuer
 * (RFC 4514) and nextUpdate. Expiry is judged by the server from nextUpdate.
 */
export async function crlReportOf(crlPem: string | null, caPem: string): Promise<AgentCrlReport> {
  if (!crlPem || !/-----BEGIN (X509 )?CRL-----/.test(crlPem)) return { error: "missing" };
  let crl: x509.X509Crl;
  try {
    crl = new x509.X509Crl(crlPem);
  } catch {
    return { error: "invalid", detail: "the CRL does not parse" };
  }
  const number = crlNumberOf(crl);
  if (number === null) return { error: "invalid", detail: "the CRL has no CRL number" };
  let signed = false;
  for (const block of parsePem(caPem).filter((b) => b.label === "CERTIFICATE")) {
    try {
      const ca = new x509.X509Certificate(block.der);
      if (ca.subject === crl.issuer && (await crl.verify({ publicKey: ca }))) signed = true;
    } catch {
      // An unreadable certificate or a key of another algorithm: not this CA's signature.
    }
  }
  if (!signed) return { error: "invalid", detail: "the CRL is not signed by a trusted CA" };
  return {
    crl_number: number.toString(),
    issuer: crl.issuer,
    next_update: crl.nextUpdate?.getTime() ?? 0,
    this_update: crl.thisUpdate.getTime(),
  };
}
