import type { Cell, Sheet } from "./sheets";

/**
 * One CSV field (RFC 4180 §2). Text that a spreadsheet would run as a formula
 * (a leading `=`, `+`, `-`, `@`, or a tab / carriage return, OWASP "CSV
 * Injection") is prefixed with `'` so it stays text; then fields containing a
 * quote, comma, CR or LF are quoted with inner quotes doubled (§2.5–2.7).
 */
export function csvField(value: Cell): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A record: fields joined by commas, terminated by CRLF (RFC 4180 §2.1). */
export const csvRecord = (cells: readonly Cell[]) => `${cells.map(csvField).join(",")}\r\n`;

const FLUSH_CHARS = 64 * 1024;

/** Writes the header record and every row, in ~64 KiB UTF-8 chunks. */
export async function writeCsv(sheet: Sheet, write: (chunk: Uint8Array) => Promise<void>): Promise<number> {
  const encoder = new TextEncoder();
  let buf = csvRecord(sheet.columns);
  let rows = 0;
  for await (const page of sheet.pages) {
    for (const row of page) {
      buf += csvRecord(row);
      rows++;
      if (buf.length >= FLUSH_CHARS) {
        await write(encoder.encode(buf));
        buf = "";
      }
    }
  }
  if (buf) await write(encoder.encode(buf));
  return rows;
}
