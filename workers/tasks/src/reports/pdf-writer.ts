import type { Cell } from "../exports/sheets";
import type { Rgb } from "./pdf/pdf-content";
import { PdfDocumentWriter } from "./pdf/pdf-document";
import type { PdfSink } from "./pdf/pdf-file";
import { type PdfFont, pdfSafe, textWidth } from "./pdf/pdf-fonts";
import type { ReportChart, ReportDocument } from "./report-document";

/** A4 landscape, in points. */
const PAGE = { width: 841.89, height: 595.28 };
const MARGIN = 36;
const TABLE_SIZE = 7;
const ROW_H = 10;
const INK: Rgb = [0.1, 0.1, 0.12];
const MUTED: Rgb = [0.4, 0.4, 0.45];
const RULE: Rgb = [0.8, 0.8, 0.84];
const SERIES: Rgb[] = [
  [0.16, 0.45, 0.75],
  [0.85, 0.33, 0.1],
  [0.2, 0.6, 0.3],
  [0.55, 0.35, 0.7],
];

export { pdfSafe };

const cellText = (c: Cell) => (c === null ? "" : typeof c === "string" ? c : String(c));

/** Cuts `text` to `width` points, ending with ".." when cut. */
function fit(font: PdfFont, text: string, size: number, width: number): string {
  const full = textWidth(font, text, size);
  if (full <= width) return text;
  let n = Math.max(0, Math.floor((text.length * width) / full));
  while (n > 0 && textWidth(font, `${text.slice(0, n)}..`, size) > width) n--;
  return `${text.slice(0, n)}..`;
}

function wrap(font: PdfFont, text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(font, next, size) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines.map((l) => fit(font, l, size, width));
}

/** The layout cursor over the streaming document: `y` is the top of the next line. */
class Writer {
  y = PAGE.height - MARGIN;
  readonly font: PdfFont;
  readonly bold: PdfFont;
  constructor(readonly doc: PdfDocumentWriter) {
    this.font = doc.fonts.regular;
    this.bold = doc.fonts.bold;
  }

  get page() {
    return this.doc.page;
  }

  async newPage(): Promise<void> {
    await this.doc.beginPage();
    this.y = PAGE.height - MARGIN;
  }

  text(s: string, size: number, opts: { x?: number; font?: PdfFont; color?: Rgb } = {}): void {
    this.page.text(s, opts.x ?? MARGIN, this.y - size, opts.font ?? this.font, size, opts.color ?? INK);
  }

  async line(size: number, s: string, opts: { font?: PdfFont; color?: Rgb; gap?: number } = {}): Promise<void> {
    if (this.y - size - 4 < MARGIN) await this.newPage();
    this.text(s, size, opts);
    this.y -= size + (opts.gap ?? 4);
  }
}

const contentWidth = PAGE.width - 2 * MARGIN;

/** The first page (the writer starts on it). */
async function titlePage(w: Writer, doc: ReportDocument): Promise<void> {
  await w.line(22, doc.title, { font: w.bold, gap: 10 });
  await w.line(10, `Generated: ${new Date(doc.generatedAt).toISOString()}`, { color: MUTED });
  const filter = doc.filter.length ? doc.filter.map(([k, v]) => `${k}=${v}`).join(", ") : "none (all visible hosts)";
  for (const l of wrap(w.font, `Filter: ${filter}`, 10, contentWidth)) await w.line(10, l, { color: MUTED });
  w.y -= 12;
  await w.line(13, "Summary", { font: w.bold, gap: 6 });
  const labelW = 260;
  for (const [label, value] of doc.summary) {
    if (w.y - 16 < MARGIN) await w.newPage();
    w.page.line(MARGIN, w.y - 14, MARGIN + labelW + 200, w.y - 14, 0.5, RULE);
    w.text(fit(w.font, label, 10, labelW - 8), 10);
    w.text(fit(w.bold, cellText(value), 10, 196), 10, { x: MARGIN + labelW, font: w.bold });
    w.y -= 16;
  }
  if (doc.notes.length) w.y -= 10;
  for (const note of doc.notes) {
    for (const l of wrap(w.font, pdfSafe(note), 9, contentWidth)) await w.line(9, l, { color: MUTED, gap: 3 });
    w.y -= 4;
  }
}

const CHART_H = 190;

async function drawChart(w: Writer, chart: ReportChart): Promise<void> {
  if (w.y - (CHART_H + 40) < MARGIN) await w.newPage();
  await w.line(12, chart.title, { font: w.bold, gap: 8 });
  const left = MARGIN + 40;
  const width = contentWidth - 40;
  const bottom = w.y - CHART_H;
  const values = chart.series.flatMap((s) => s.values);
  const max = chart.max ?? Math.max(1, ...values);
  const p = w.page;
  const small = (s: string, x: number, y: number, color: Rgb = MUTED) => p.text(s, x, y, w.font, 7, color);
  p.line(left, bottom, left + width, bottom, 0.7, MUTED);
  p.line(left, bottom, left, bottom + CHART_H, 0.7, MUTED);
  for (const frac of [0, 0.5, 1]) {
    const label = String(Math.round(max * frac * 10) / 10);
    small(label, left - 4 - textWidth(w.font, label, 7), bottom + CHART_H * frac - 2);
  }
  const n = chart.labels.length;
  const scale = (v: number) => bottom + (Math.min(v, max) / max) * CHART_H;
  if (n === 0) {
    p.text("no data", left + 8, bottom + CHART_H / 2, w.font, 9, MUTED);
  } else if (chart.kind === "bar") {
    const series = chart.series[0];
    const slot = width / n;
    const barW = Math.min(60, slot * 0.7);
    chart.labels.forEach((label, i) => {
      const v = series?.values[i] ?? 0;
      const x = left + slot * i + (slot - barW) / 2;
      p.rect(x, bottom, barW, scale(v) - bottom, SERIES[0] ?? INK);
      small(String(v), x, scale(v) + 2, INK);
      small(fit(w.font, label, 7, slot - 2), left + slot * i + 1, bottom - 10);
    });
  } else {
    const xAt = (i: number) => left + (n === 1 ? width / 2 : (width * i) / (n - 1));
    chart.series.forEach((s, si) => {
      const color = SERIES[si % SERIES.length] ?? INK;
      for (let i = 0; i < s.values.length; i++) {
        const y = scale(s.values[i] ?? 0);
        if (i > 0) p.line(xAt(i - 1), scale(s.values[i - 1] ?? 0), xAt(i), y, 1.2, color);
        if (n <= 60) p.circle(xAt(i), y, 1.5, color);
      }
      p.rect(left + 8 + si * 140, bottom + CHART_H + 4, 8, 6, color);
      small(fit(w.font, s.name, 7, 120), left + 20 + si * 140, bottom + CHART_H + 4, INK);
    });
    const step = Math.max(1, Math.ceil(n / 8));
    for (let i = 0; i < n; i += step) small(fit(w.font, chart.labels[i] ?? "", 7, 90), xAt(i) - 20, bottom - 10);
  }
  w.y = bottom - 28;
}

/**
 * Renders a report as a PDF straight into `sink`, page by page (our streaming
 * writer, `./pdf/`: standard Helvetica with WinAnsi, no font file, so it runs in
 * workerd in bounded memory): title page with the filter, the generation time,
 * the summary and notes; the charts; then every row in tables that repeat their
 * header on each page; "<title> - page i of n" on every page. Returns the number
 * of rows and bytes written.
 */
export async function streamPdf(report: ReportDocument, sink: PdfSink): Promise<{ rows: number; bytes: number }> {
  const title = pdfSafe(report.title);
  const doc = new PdfDocumentWriter(sink, PAGE, {
    label: (i) => `${title} - page ${i} of `,
    size: 7,
    color: MUTED,
    x: PAGE.width - MARGIN - 24,
    y: MARGIN / 2,
  });
  const w = new Writer(doc);
  await w.newPage();
  await titlePage(w, report);
  if (report.charts.length) {
    await w.newPage();
    for (const chart of report.charts) await drawChart(w, chart);
  }

  const cols = report.table.columns;
  const weights = report.widths && report.widths.length === cols.length ? report.widths : cols.map(() => 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const xs: number[] = [];
  let acc = MARGIN;
  const widths = weights.map((wt) => (contentWidth * wt) / total);
  for (const cw of widths) {
    xs.push(acc);
    acc += cw;
  }
  const header = () => {
    w.page.rect(MARGIN, w.y - ROW_H - 1, contentWidth, ROW_H + 2, RULE);
    cols.forEach((c, i) => {
      w.text(fit(w.bold, c, TABLE_SIZE, (widths[i] ?? 0) - 3), TABLE_SIZE, {
        x: (xs[i] ?? MARGIN) + 1.5,
        font: w.bold,
      });
    });
    w.y -= ROW_H + 2;
  };
  await w.newPage();
  await w.line(13, `${report.title}: rows`, { font: w.bold, gap: 6 });
  header();
  let rows = 0;
  for await (const page of report.table.pages) {
    for (const row of page) {
      if (w.y - ROW_H < MARGIN + 12) {
        await w.newPage();
        header();
      }
      row.forEach((cell, i) => {
        const s = cellText(cell);
        if (s) w.text(fit(w.font, s, TABLE_SIZE, (widths[i] ?? 0) - 3), TABLE_SIZE, { x: (xs[i] ?? 0) + 1.5 });
      });
      w.y -= ROW_H;
      rows++;
    }
  }
  if (rows === 0) await w.line(9, "No rows match the filter.", { color: MUTED });
  w.y -= 6;
  await w.line(9, `Total rows: ${rows}`, { font: w.bold });
  const bytes = await doc.finish({
    title: report.title,
    creator: "Fleetgate",
    producer: "Fleetgate streaming PDF writer",
    createdAt: report.generatedAt,
  });
  return { rows, bytes };
}

/** The whole PDF in memory (the synchronous `GET /reports/{type}?format=pdf` and tests). */
export async function writePdf(report: ReportDocument): Promise<{ bytes: Uint8Array<ArrayBuffer>; rows: number }> {
  const chunks: Uint8Array[] = [];
  const { rows, bytes: size } = await streamPdf(report, async (c) => {
    chunks.push(c);
  });
  const bytes = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.byteLength;
  }
  return { bytes, rows };
}
