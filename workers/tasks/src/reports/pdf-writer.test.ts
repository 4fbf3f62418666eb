import { PDFDocument } from "@pdfme/pdf-lib";
import { describe, expect, it } from "vitest";
import type { Cell } from "../exports/sheets";
import { pdfSafe, writePdf } from "./pdf-writer";
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

describe("PDF writer (pdf-lib inside workerd)", () => {
  it("writes a loadable PDF with a title page, a chart page and every row paginated", async () => {
    const rows: Cell[][] = Array.from({ length: 500 }, (_, i) => [`host-${i}`, i % 2 === 0, i]);
    const { bytes, rows: n } = await writePdf(doc(rows));
    expect(n).toBe(500);
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    const loaded = await PDFDocument.load(bytes);
    // title + charts + ceil(500 rows / ~47 per page) table pages
    expect(loaded.getPageCount()).toBeGreaterThanOrEqual(2 + Math.ceil(500 / 50));
    expect(loaded.getTitle()).toBe("Compliance report");
  });

  it("draws text the standard fonts cannot encode (replaced, never a crash) and an empty table", async () => {
    const { bytes, rows } = await writePdf(doc([["hôst-ü ✓ 日本", null, -1]]));
    expect(rows).toBe(1);
    expect(bytes.byteLength).toBeGreaterThan(500);
    expect(pdfSafe("a\tb\nc ✓ é")).toBe("a b c ? é");
    const empty = await writePdf(doc([]));
    expect(empty.rows).toBe(0);
  });
});
