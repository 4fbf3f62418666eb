// PEM textual encoding (RFC 7468). Parsing is linear-time and strict about the base64
// payload; callers decide whether text outside the encapsulation boundaries is allowed.
import { fromBase64, toBase64, toBytes } from "./bytes";

/** One decoded PEM block. */
export interface PemBlock {
  label: string;
  der: Uint8Array;
}

const LABEL = /^[A-Z0-9]+(?:[ -][A-Z0-9]+)*$/;

/**
 * Decodes every PEM block in `text` (RFC 7468 §2-3). Returns null when a block is
 * malformed; with `strict`, also when anything but whitespace surrounds the blocks.
 * CRLF line endings and whitespace inside the base64 payload are tolerated.
 */
export function parsePemBlocks(text: string, options: { strict?: boolean } = {}): PemBlock[] | null {
  const blocks: PemBlock[] = [];
  let pos = 0;
  for (;;) {
    const begin = text.indexOf("-----BEGIN ", pos);
    const outside = text.slice(pos, begin < 0 ? text.length : begin);
    if (options.strict && outside.trim() !== "") return null;
    if (begin < 0) break;
    const labelStart = begin + "-----BEGIN ".length;
    const labelEnd = text.indexOf("-----", labelStart);
    if (labelEnd < 0) return null;
    const label = text.slice(labelStart, labelEnd);
    if (label.length > 64 || !LABEL.test(label)) return null;
    const endMarker = `-----END ${label}-----`;
    const bodyStart = labelEnd + "-----".length;
    const end = text.indexOf(endMarker, bodyStart);
    if (end < 0) return null;
    // RFC 7468 §3: lax parsers ignore whitespace (incl. CR) inside the payload.
    const der = fromBase64(text.slice(bodyStart, end).replace(/\s+/g, ""));
    if (der === null || der.length === 0) return null;
    blocks.push({ label, der });
    pos = end + endMarker.length;
  }
  return blocks;
}

/** Encodes DER as a PEM block with 64-character lines and a trailing newline (RFC 7468 §2). */
export function derToPem(der: ArrayBuffer | ArrayBufferView, label: string): string {
  if (!LABEL.test(label)) throw new TypeError(`invalid PEM label: ${label}`);
  const b64 = toBase64(der);
  let body = "";
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

/** DER of the first PEM block in `pem`. Throws TypeError if there is none or it is malformed. */
export function pemToDer(pem: string): Uint8Array {
  const first = parsePemBlocks(pem)?.[0];
  if (!first) throw new TypeError("no valid PEM block");
  return toBytes(first.der);
}

/**
 * Splits a PEM bundle (e.g. a certificate chain) into its blocks, each re-encoded in
 * canonical form; explanatory text between blocks is dropped. Throws TypeError on a
 * malformed block.
 */
export function splitPemChain(pem: string): string[] {
  const blocks = parsePemBlocks(pem);
  if (blocks === null) throw new TypeError("malformed PEM");
  return blocks.map((block) => derToPem(block.der, block.label));
}
