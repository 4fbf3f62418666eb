import { UsageError } from "./exit-codes";

export const FORMATS = ["table", "json", "ndjson", "csv"] as const;
export type Format = (typeof FORMATS)[number];

/** One column of a table or CSV: a header and how to read the cell from a row. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

export function parseFormat(value: string | undefined): Format | undefined {
  if (value === undefined) return undefined;
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`unknown output format "${value}" (one of: ${FORMATS.join(", ")})`);
}

/** A cell as text: null/undefined empty, objects as JSON. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
/** Display width in grapheme clusters (good enough for aligned columns of API data). */
function width(s: string): number {
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n;
}

/** Aligned columns; control characters in cells are escaped so a value cannot break the layout. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => oneLine(cellText(c.value(r)))));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(width(h), ...cells.map((row) => width(row[i] ?? ""))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (i === vals.length - 1 ? v : v + " ".repeat((widths[i] ?? 0) - width(v))))
      .join("  ")
      .trimEnd();
  return `${[line(headers), ...cells.map(line)].join("\n")}\n`;
}

function oneLine(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  return s.replace(/[\u0000-\u001f\u007f]/g, (ch) => (ch === "\t" ? " " : JSON.stringify(ch).slice(1, -1)));
}

/** RFC 4180: CRLF line ends; fields with `"`, `,`, CR or LF quoted, inner quotes doubled. */
export function csv<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const field = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [
    columns.map((c) => field(c.header)),
    ...rows.map((r) => columns.map((c) => field(cellText(c.value(r))))),
  ];
  return lines.map((l) => `${l.join(",")}\r\n`).join("");
}

/**
 * A list in the chosen format. `json` prints the API's response body unchanged (its schema is the
 * stable contract); `ndjson` one item per line; `table`/`csv` the columns.
 */
export function renderList<T>(
  format: Format,
  body: unknown,
  rows: readonly T[],
  columns: readonly Column<T>[],
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(body, null, 2)}\n`;
    case "ndjson":
      return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
    case "csv":
      return csv(rows, columns);
    case "table":
      return rows.length === 0 ? "" : table(rows, columns);
  }
}

/** One object: `json`/`ndjson` as the API sent it, `table` as FIELD VALUE lines, `csv` as one row. */
export function renderObject(format: Format, body: unknown, fields?: readonly Column<unknown>[]): string {
  if (format === "json") return `${JSON.stringify(body, null, 2)}\n`;
  if (format === "ndjson") return `${JSON.stringify(body)}\n`;
  const cols =
    fields ??
    (typeof body === "object" && body !== null
      ? Object.keys(body).map((k) => ({ header: k, value: (o: unknown) => (o as Record<string, unknown>)[k] }))
      : [{ header: "value", value: (o: unknown) => o }]);
  if (format === "csv") return csv([body], cols);
  const pairs = cols.map((c) => ({ k: c.header, v: oneLine(cellText(c.value(body))) }));
  const w = Math.max(...pairs.map((p) => width(p.k)));
  return `${pairs.map((p) => `${p.k}${" ".repeat(w - width(p.k))}  ${p.v}`.trimEnd()).join("\n")}\n`;
}
