import { Encodings, Font, FontNames } from "@pdf-lib/standard-fonts";

/** The two standard-14 fonts the reports use, drawn with WinAnsiEncoding (no font file embedded). */
export type PdfFontName = "Helvetica" | "Helvetica-Bold";

export interface PdfFont {
  name: PdfFontName;
  /** The resource name pages use (`/F1`, `/F2`). */
  resource: string;
  /** Advance widths of the WinAnsi codes 0–255, in 1/1000 em (the font's AFM metrics). */
  widths: Float64Array;
}

const QUESTION = 63;

const encodable = (cp: number) => cp >= 32 && cp !== 127 && Encodings.WinAnsi.canEncodeUnicodeCodePoint(cp);

/**
 * The standard fonts encode WinAnsi only: tabs and line breaks become one space,
 * any other character the encoding lacks (or a control character) becomes "?",
 * so any text can be drawn; the CSV keeps the original.
 */
export function pdfSafe(text: string): string {
  let out = "";
  for (const ch of text.replace(/[\t\r\n]+/g, " ")) out += encodable(ch.codePointAt(0) ?? 0) ? ch : "?";
  return out;
}

/** Text as WinAnsi codes (after `pdfSafe`). */
export function winAnsiCodes(text: string): number[] {
  const codes: number[] = [];
  for (const ch of pdfSafe(text)) {
    const cp = ch.codePointAt(0) ?? QUESTION;
    codes.push(cp === QUESTION ? QUESTION : Encodings.WinAnsi.encodeUnicodeCodePoint(cp).code);
  }
  return codes;
}

function loadFont(name: PdfFontName, resource: string): PdfFont {
  const afm = Font.load(name === "Helvetica" ? FontNames.Helvetica : FontNames.HelveticaBold);
  const widths = new Float64Array(256);
  const fallback = afm.getWidthOfGlyph("question") ?? 556;
  widths.fill(fallback);
  for (const cp of Encodings.WinAnsi.supportedCodePoints) {
    const { code, name: glyph } = Encodings.WinAnsi.encodeUnicodeCodePoint(cp);
    if (code < 256) widths[code] = afm.getWidthOfGlyph(glyph) ?? fallback;
  }
  return { name, resource, widths };
}

let fonts: { regular: PdfFont; bold: PdfFont } | undefined;

/** Helvetica (`/F1`) and Helvetica-Bold (`/F2`), metrics loaded once per isolate. */
export function standardFonts(): { regular: PdfFont; bold: PdfFont } {
  fonts ??= { regular: loadFont("Helvetica", "/F1"), bold: loadFont("Helvetica-Bold", "/F2") };
  return fonts;
}

/** The width of WinAnsi codes set in `font` at `size` points (no kerning: the writer draws with Tj). */
export function codesWidth(font: PdfFont, codes: readonly number[], size: number): number {
  let units = 0;
  for (const c of codes) units += font.widths[c] ?? 0;
  return (units * size) / 1000;
}

export const textWidth = (font: PdfFont, text: string, size: number) => codesWidth(font, winAnsiCodes(text), size);
