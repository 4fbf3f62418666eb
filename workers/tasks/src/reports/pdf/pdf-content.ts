import { type PdfFont, winAnsiCodes } from "./pdf-fonts";

/** An RGB colour, each component 0–1. */
export type Rgb = readonly [number, number, number];

/** A number in PDF syntax: at most 3 decimals, never an exponent or "-0". */
export function num(n: number): string {
  const r = Math.round(n * 1000) / 1000;
  return Object.is(r, -0) || !Number.isFinite(r) ? "0" : String(r);
}

const rgb = (c: Rgb) => c.map(num).join(" ");

/** WinAnsi codes as a PDF literal string: printable ASCII as is, `(`, `)`, `\` escaped, the rest in octal. */
export function literal(codes: readonly number[]): string {
  let s = "(";
  for (const c of codes) {
    if (c === 0x28 || c === 0x29 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${c.toString(8).padStart(3, "0")}`;
  }
  return `${s})`;
}

/** Bezier control distance of a quarter circle of radius 1. */
const KAPPA = 0.5522847498;

/**
 * One page's content stream (PDF 1.7 §8–9): filled text in a standard font,
 * stroked lines, filled rectangles and circles, and placed form XObjects. The
 * origin is the bottom-left corner, in points. The operators are collected as
 * ASCII text until the page is written.
 */
export class PdfContent {
  #ops: string[] = [];

  text(text: string, x: number, y: number, font: PdfFont, size: number, color: Rgb): void {
    const codes = winAnsiCodes(text);
    if (codes.length === 0) return;
    this.#ops.push(
      `BT ${font.resource} ${num(size)} Tf ${rgb(color)} rg ${num(x)} ${num(y)} Td ${literal(codes)} Tj ET`,
    );
  }

  line(x1: number, y1: number, x2: number, y2: number, thickness: number, color: Rgb): void {
    this.#ops.push(`${num(thickness)} w ${rgb(color)} RG ${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S`);
  }

  rect(x: number, y: number, width: number, height: number, color: Rgb): void {
    this.#ops.push(`${rgb(color)} rg ${num(x)} ${num(y)} ${num(width)} ${num(height)} re f`);
  }

  circle(cx: number, cy: number, r: number, color: Rgb): void {
    const k = r * KAPPA;
    const c = (x1: number, y1: number, x2: number, y2: number, x3: number, y3: number) =>
      `${num(x1)} ${num(y1)} ${num(x2)} ${num(y2)} ${num(x3)} ${num(y3)} c`;
    this.#ops.push(
      [
        `${rgb(color)} rg ${num(cx + r)} ${num(cy)} m`,
        c(cx + r, cy + k, cx + k, cy + r, cx, cy + r),
        c(cx - k, cy + r, cx - r, cy + k, cx - r, cy),
        c(cx - r, cy - k, cx - k, cy - r, cx, cy - r),
        c(cx + k, cy - r, cx + r, cy - k, cx + r, cy),
        "f",
      ].join(" "),
    );
  }

  /** Draws the form XObject `name` (a resource of the page) with its origin at (x, y). */
  xobject(name: string, x: number, y: number): void {
    this.#ops.push(`q 1 0 0 1 ${num(x)} ${num(y)} cm ${name} Do Q`);
  }

  /** The content stream's text. */
  toString(): string {
    return `${this.#ops.join("\n")}\n`;
  }
}
