import { PDFDocument } from "@pdfme/pdf-lib";
import { describe, expect, it } from "vitest";
import type { Cell } from "../exports/sheets";
import { PdfFile } from "./pdf/pdf-file";
import { pdfSafe, streamPdf, writePdf } from "./pdf-writer";
import type { ReportDocument } from "./report-document";

function doc(rows: Cell[][]): ReportDocument {
  async function* pages() {
    for (let i = 0; i < rows.length; i += 100) yield rows.slice(i, i + 100);
  }
  return {
    type: "compliance",
    title: "Compliance report",
    filter: [["group", "web"]],
    generatedAt: Date.UTC(2026, 11, 7, 10, 0, 0),
    summary: [
      ["Hosts", rows.length],
      ["Compliance", "50.0%"],
    ],
    notes: ["A host is compliant when …"],
    charts: [
      { title: "By severity", kind: "bar", labels: ["critical", "high"], series: [{ name: "n", values: [3, 5] }] },
      {
        title: "Over time",
        kind: "line",
        labels: ["2026-12-01", "2026-12-02", "2026-12-03"],
        series: [{ name: "compliance %", values: [40, 50, 60] }],
        max: 100,
      },
    ],
    table: { title: "Hosts", columns: ["host", "compliant", "pending"], pages: pages() },
  };
}

const latin1 = (b: Uint8Array) => {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
};

/** Checks the cross-reference table against the file: every in-use entry points at its `N 0 obj`. */
function checkXref(bytes: Uint8Array): number {
  const text = latin1(bytes);
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  expect(text.slice(startxref, startxref + 5)).toBe("xref\n");
  const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(text.slice(startxref)) ?? [];
  expect(first).toBe("0");
  const entries = text
    .slice(startxref)
    .split("\n")
    .slice(2, 2 + Number(count));
  expect(entries[0]).toBe("0000000000 65535 f ");
  entries.slice(1).forEach((e, i) => {
    expect(e).toMatch(/^\d{10} 00000 n $/);
    const at = Number(e.slice(0, 10));
    expect(text.slice(at, at + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
  });
  expect(text).toMatch(new RegExp(`trailer\\n<< /Size ${count} /Root \\d+ 0 R /Info \\d+ 0 R`));
  return Number(count);
}

describe("streaming PDF writer (inside workerd)", () => {
  it("writes a loadable PDF with a title page, a chart page and every row paginated", async () => {
    const rows: Cell[][] = Array.from({ length: 500 }, (_, i) => [`host-${i}`, i % 2 === 0, i]);
    const { bytes, rows: n } = await writePdf(doc(rows));
    expect(n).toBe(500);
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    const loaded = await PDFDocument.load(bytes, { updateMetadata: false });
    // title + charts + ceil(500 rows / ~47 per page) table pages
    expect(loaded.getPageCount()).toBeGreaterThanOrEqual(2 + Math.ceil(500 / 50));
    expect(loaded.getTitle()).toBe("Compliance report");
    expect(loaded.getProducer()).toBe("Fleetgate streaming PDF writer");
    // Objects: catalog, pages, info, resources, 2 fonts, the page count, and a content stream + page object per page.
    expect(checkXref(bytes)).toBe(1 + 7 + 2 * loaded.getPageCount());
  });

  it("hands the file to the sink page by page: no chunk holds more than one page", async () => {
    const rows: Cell[][] = Array.from({ length: 2_000 }, (_, i) => [`host-${i}`, "x".repeat(60), i]);
    const chunks: number[] = [];
    const out: Uint8Array[] = [];
    const { rows: n, bytes } = await streamPdf(doc(rows), async (c) => {
      chunks.push(c.byteLength);
      out.push(c);
    });
    expect(n).toBe(2_000);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(bytes);
    // Many small writes, the largest a compressed page (a few KiB), not the document.
    expect(chunks.length).toBeGreaterThan(2_000 / 50);
    expect(Math.max(...chunks)).toBeLessThan(16 * 1024);
    const all = new Uint8Array(bytes);
    let off = 0;
    for (const c of out) {
      all.set(c, off);
      off += c.byteLength;
    }
    expect((await PDFDocument.load(all)).getPageCount()).toBeGreaterThanOrEqual(2 + 2_000 / 50);
    checkXref(all);
  });

  it("a failing sink fails the report (the upload is then aborted by the caller)", async () => {
    const rows: Cell[][] = Array.from({ length: 300 }, (_, i) => [`host-${i}`, true, i]);
    let calls = 0;
    await expect(
      streamPdf(doc(rows), async () => {
        if (++calls === 5) throw new Error("R2 refused the part");
      }),
    ).rejects.toThrow("R2 refused the part");
  });

  it("draws text the standard fonts cannot encode (replaced, never a crash) and an empty table", async () => {
    const { bytes, rows } = await writePdf(doc([["hôst-ü ✓ 日本 (x) \\ €", null, -1]]));
    expect(rows).toBe(1);
    expect(bytes.byteLength).toBeGreaterThan(500);
    expect(pdfSafe("a\tb\nc ✓ é € \u0007")).toBe("a b c ? é € ?");
    const empty = await writePdf(doc([]));
    expect(empty.rows).toBe(0);
    expect((await PDFDocument.load(empty.bytes)).getPageCount()).toBe(3);
  });

  it("refuses to finish with a reserved object never written, and to write an object twice", async () => {
    const f = new PdfFile(async () => undefined);
    await f.start();
    const a = f.reserve();
    const b = f.reserve();
    await f.object(a, "<< >>");
    await expect(f.object(a, "<< >>")).rejects.toThrow(/already written/);
    await expect(f.finish(a, b)).rejects.toThrow(`object ${b} was reserved but never written`);
  });
});
