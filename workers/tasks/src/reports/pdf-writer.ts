import { type Color, PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "@pdfme/pdf-lib";
import type { Cell } from "../exports/sheets";
import type { ReportChart, ReportDocument } from "./report-document";

/** A4 landscape, in points. */
const PAGE: [number, number] = [841.89, 595.28];
const MARGIN = 36;
const TABLE_SIZE = 7;
const ROW_H = 10;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.4, 0.4, 0.45);
const RULE = rgb(0.8, 0.8, 0.84);
const SERIES: Color[] = [rgb(0.16, 0.45, 0.75), rgb(0.85, 0.33, 0.1), rgb(0.2, 0.6, 0.3), rgb(0.55, 0.35, 0.7)];

/**
 * The standard fonts encode WinAnsi only: other characters (and control
 * characters) become "?" so any text can be drawn; the CSV keeps the original.
 */
export function pdfSafe(text: string): string {
  return text.replace(/[\t\r\n]+/g, " ").replace(/[^\x20-\x7e\xa0-\xff]/g, "?");
}

const cellText = (c: Cell) => (c === null ? "" : typeof c === "string" ? c : String(c));

/** Cuts `text` to `width` points, ending with ".." when cut. */
function fit(font: PDFFont, text: string, size: number, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let n = Math.max(0, Math.floor((text.length * width) / font.widthOfTextAtSize(text, size)));
  while (n > 0 && font.widthOfTextAtSize(`${text.slice(0, n)}..`, size) > width) n--;
  return `${text.slice(0, n)}..`;
}

function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const next = line ? `${line} ${word}` : word;
    if (line && font.widthOfTextAtSize(next, size) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines.map((l) => fit(font, l, size, width));
}

class Writer {
  page: PDFPage;
  y = PAGE[1] - MARGIN;
  constructor(
    readonly doc: PDFDocument,
    readonly font: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.page = doc.addPage(PAGE);
  }

  newPage(): PDFPage {
    this.page = this.doc.addPage(PAGE);
    this.y = PAGE[1] - MARGIN;
    return this.page;
  }

  text(s: string, size: number, opts: { x?: number; font?: PDFFont; color?: Color } = {}): void {
    this.page.drawText(pdfSafe(s), {
      x: opts.x ?? MARGIN,
      y: this.y - size,
      size,
      font: opts.font ?? this.font,
      color: opts.color ?? INK,
    });
  }

  line(size: number, s: string, opts: { font?: PDFFont; color?: Color; gap?: number } = {}): void {
    if (this.y - size - 4 < MARGIN) this.newPage();
    this.text(s, size, opts);
    this.y -= size + (opts.gap ?? 4);
  }
}

const contentWidth = PAGE[0] - 2 * MARGIN;

/** The first page (the writer starts on it). */
function titlePage(w: Writer, doc: ReportDocument): void {
  w.line(22, doc.title, { font: w.bold, gap: 10 });
  w.line(10, `Generated: ${new Date(doc.generatedAt).toISOString()}`, { color: MUTED });
  const filter = doc.filter.length ? doc.filter.map(([k, v]) => `${k}=${v}`).join(", ") : "none (all visible hosts)";
  for (const l of wrap(w.font, pdfSafe(`Filter: ${filter}`), 10, contentWidth)) w.line(10, l, { color: MUTED });
  w.y -= 12;
  w.line(13, "Summary", { font: w.bold, gap: 6 });
  const labelW = 260;
  for (const [label, value] of doc.summary) {
    if (w.y - 16 < MARGIN) w.newPage();
    w.page.drawLine({
      start: { x: MARGIN, y: w.y - 14 },
      end: { x: MARGIN + labelW + 200, y: w.y - 14 },
      thickness: 0.5,
      color: RULE,
    });
    w.text(fit(w.font, pdfSafe(label), 10, labelW - 8), 10);
    w.text(fit(w.bold, pdfSafe(cellText(value)), 10, 196), 10, { x: MARGIN + labelW, font: w.bold });
    w.y -= 16;
  }
  if (doc.notes.length) w.y -= 10;
  for (const note of doc.notes) {
    for (const l of wrap(w.font, pdfSafe(note), 9, contentWidth)) w.line(9, l, { color: MUTED, gap: 3 });
    w.y -= 4;
  }
}

const CHART_H = 190;

function drawChart(w: Writer, chart: ReportChart): void {
  if (w.y - (CHART_H + 40) < MARGIN) w.newPage();
  w.line(12, chart.title, { font: w.bold, gap: 8 });
  const left = MARGIN + 40;
  const width = contentWidth - 40;
  const bottom = w.y - CHART_H;
  const values = chart.series.flatMap((s) => s.values);
  const max = chart.max ?? Math.max(1, ...values);
  const p = w.page;
  p.drawLine({ start: { x: left, y: bottom }, end: { x: left + width, y: bottom }, thickness: 0.7, color: MUTED });
  p.drawLine({ start: { x: left, y: bottom }, end: { x: left, y: bottom + CHART_H }, thickness: 0.7, color: MUTED });
  for (const frac of [0, 0.5, 1]) {
    const label = String(Math.round(max * frac * 10) / 10);
    p.drawText(label, {
      x: left - 4 - w.font.widthOfTextAtSize(label, 7),
      y: bottom + CHART_H * frac - 2,
      size: 7,
      font: w.font,
      color: MUTED,
    });
  }
  const n = chart.labels.length;
  const scale = (v: number) => bottom + (Math.min(v, max) / max) * CHART_H;
  if (n === 0) {
    p.drawText("no data", { x: left + 8, y: bottom + CHART_H / 2, size: 9, font: w.font, color: MUTED });
  } else if (chart.kind === "bar") {
    const series = chart.series[0];
    const slot = width / n;
    const barW = Math.min(60, slot * 0.7);
    chart.labels.forEach((label, i) => {
      const v = series?.values[i] ?? 0;
      const x = left + slot * i + (slot - barW) / 2;
      p.drawRectangle({ x, y: bottom, width: barW, height: scale(v) - bottom, color: SERIES[0] });
      p.drawText(String(v), { x, y: scale(v) + 2, size: 7, font: w.font, color: INK });
      p.drawText(fit(w.font, pdfSafe(label), 7, slot - 2), {
        x: left + slot * i + 1,
        y: bottom - 10,
        size: 7,
        font: w.font,
        color: MUTED,
      });
    });
  } else {
    const xAt = (i: number) => left + (n === 1 ? width / 2 : (width * i) / (n - 1));
    chart.series.forEach((s, si) => {
      const color = SERIES[si % SERIES.length] ?? INK;
      for (let i = 0; i < s.values.length; i++) {
        const y = scale(s.values[i] ?? 0);
        if (i > 0)
          p.drawLine({
            start: { x: xAt(i - 1), y: scale(s.values[i - 1] ?? 0) },
            end: { x: xAt(i), y },
            thickness: 1.2,
            color,
          });
        if (n <= 60) p.drawCircle({ x: xAt(i), y, size: 1.5, color });
      }
      p.drawRectangle({ x: left + 8 + si * 140, y: bottom + CHART_H + 4, width: 8, height: 6, color });
      p.drawText(fit(w.font, pdfSafe(s.name), 7, 120), {
        x: left + 20 + si * 140,
        y: bottom + CHART_H + 4,
        size: 7,
        font: w.font,
        color: INK,
      });
    });
    const step = Math.max(1, Math.ceil(n / 8));
    for (let i = 0; i < n; i += step) {
      p.drawText(fit(w.font, pdfSafe(chart.labels[i] ?? ""), 7, 90), {
        x: xAt(i) - 20,
        y: bottom - 10,
        size: 7,
        font: w.font,
        color: MUTED,
      });
    }
  }
  w.y = bottom - 28;
}

/**
 * Renders a report as a PDF (pdf-lib, standard Helvetica; no file system, so it
 * runs in workerd): title page with the filter, the generation time, the
 * summary and notes; the charts; then every row in tables that repeat their
 * header on each page; "Page i of n" on every page. Returns the bytes and the
 * number of rows written.
 */
export async function writePdf(report: ReportDocument): Promise<{ bytes: Uint8Array<ArrayBuffer>; rows: number }> {
  const doc = await PDFDocument.create();
  doc.setTitle(pdfSafe(report.title));
  doc.setCreator("Fleetgate");
  doc.setProducer("Fleetgate (pdf-lib)");
  doc.setCreationDate(new Date(report.generatedAt));
  const w = new Writer(
    doc,
    await doc.embedFont(StandardFonts.Helvetica),
    await doc.embedFont(StandardFonts.HelveticaBold),
  );
  titlePage(w, report);
  if (report.charts.length) {
    w.newPage();
    for (const chart of report.charts) drawChart(w, chart);
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
    w.page.drawRectangle({ x: MARGIN, y: w.y - ROW_H - 1, width: contentWidth, height: ROW_H + 2, color: RULE });
    cols.forEach((c, i) => {
      w.text(fit(w.bold, pdfSafe(c), TABLE_SIZE, (widths[i] ?? 0) - 3), TABLE_SIZE, {
        x: (xs[i] ?? MARGIN) + 1.5,
        font: w.bold,
      });
    });
    w.y -= ROW_H + 2;
  };
  w.newPage();
  w.line(13, `${report.title}: rows`, { font: w.bold, gap: 6 });
  header();
  let rows = 0;
  for await (const page of report.table.pages) {
    for (const row of page) {
      if (w.y - ROW_H < MARGIN + 12) {
        w.newPage();
        header();
      }
      row.forEach((cell, i) => {
        const s = cellText(cell);
        if (s) w.text(fit(w.font, pdfSafe(s), TABLE_SIZE, (widths[i] ?? 0) - 3), TABLE_SIZE, { x: (xs[i] ?? 0) + 1.5 });
      });
      w.y -= ROW_H;
      rows++;
    }
  }
  if (rows === 0) w.line(9, "No rows match the filter.", { color: MUTED });
  w.y -= 6;
  w.line(9, `Total rows: ${rows}`, { font: w.bold });

  const pages = doc.getPages();
  pages.forEach((p, i) => {
    const label = `${pdfSafe(report.title)} - page ${i + 1} of ${pages.length}`;
    p.drawText(label, {
      x: PAGE[0] - MARGIN - w.font.widthOfTextAtSize(label, 7),
      y: MARGIN / 2,
      size: 7,
      font: w.font,
      color: MUTED,
    });
  });
  return { bytes: await doc.save({ useObjectStreams: true }), rows };
}
