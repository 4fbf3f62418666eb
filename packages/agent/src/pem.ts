/** A PEM block (RFC 7468): its label and DER bytes. */
export interface PemBlock {
  label: string;
  der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order. */
export function parsePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1];
    const body = match[2];
    if (label === undefined || body === undefined) continue;
    blocks.push({ label, der: Buffer.from(body.replace(/\s+/g, ""), "base64") });
  }
  return blocks;
}

/** DER → PEM with 64-column lines. */
export function toPem(label: string, der: Uint8Array | ArrayBuffer): string {
  const b64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The DER of the first CERTIFICATE block (the leaf of a chain), or null. */
export function firstCertificateDer(text: string): Buffer | null {
  return parsePem(text).find((b) => b.label === "CERTIFICATE")?.der ?? null;
}
