// Minimal DER (ITU-T X.690) encoding for the few structures @peculiar/x509 does not
// build the way we need: the CRL number and the certs-only CMS SignedData.
import { concatBytes } from "./bytes";

/** DER length octets, definite form (X.690 §8.1.3, §10.1). */
function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** Encodes one TLV with a single-octet tag. */
export function derTlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concatBytes(...contents);
  return concatBytes(Uint8Array.of(tag), encodeLength(body.length), body);
}

/** DER tags used here (X.690 §8.1.2). */
export const TAG = {
  integer: 0x02,
  octetString: 0x04,
  oid: 0x06,
  sequence: 0x30,
  set: 0x31,
  /** [0] constructed, context-specific (EXPLICIT [0] or IMPLICIT [0] SET OF). */
  context0: 0xa0,
} as const;

/** Encodes a non-negative safe integer as a minimal DER INTEGER (X.690 §8.3). */
export function derUnsignedInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError("integer must be a non-negative safe integer");
  const octets: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  if (octets.length === 0 || (octets[0] ?? 0) >= 0x80) octets.unshift(0);
  return derTlv(TAG.integer, Uint8Array.from(octets));
}

/** Encodes a dotted OBJECT IDENTIFIER (X.690 §8.19). */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map((arc) => {
    if (!/^\d+$/.test(arc)) throw new TypeError(`invalid OID ${dotted}`);
    return Number(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined) throw new TypeError(`invalid OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const chunk: number[] = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n % 128));
    out.push(...chunk);
  }
  return derTlv(TAG.oid, Uint8Array.from(out));
}

/**
 * Total length (header + contents) of the DER TLV starting at offset 0, or null when the
 * header is malformed or uses the indefinite form, which DER forbids (X.690 §10.1).
 */
export function derElementLength(der: Uint8Array): number | null {
  if (der.length < 2) return null;
  const first = der[1] ?? 0;
  if ((der[0] ?? 0) % 32 === 31) return null; // multi-octet tags: never used at our top level
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || der.length < 2 + count) return null;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (der[2 + i] ?? 0);
  if (length < 0x80 || (der[2] ?? 0) === 0) return null; // not minimal: X.690 §10.1
  return 2 + count + length;
}
