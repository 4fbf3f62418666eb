import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Cell } from "../../workers/tasks/src/exports/sheets";
import { writePdf } from "../../workers/tasks/src/reports/pdf-writer";
import type { ReportDocument } from "../../workers/tasks/src/reports/report-document";

/** `pdftotext -layout` of a PDF; null when poppler-utils is not installed. */
function pdfToText(bytes: Uint8Array): string | null {
  const dir = mkdtempSync(path.join(tmpdir(), "report-pdf-"));
  try {
    const file = path.join(dir, "r.pdf");
    writeFileSync(file, bytes);
    return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hasPdftotext = (() => {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ENOENT";
  }
})();
if (!hasPdftotext) console.log("skipping report PDF text tests: pdftotext is absent (apt-get install poppler-utils)");

/** A vulnerability report as the builder makes it: summary totals and one row per host, package and CVE. */
function vulnerabilityDoc(rows: Cell[][]): ReportDocument {
  async function* pages() {
    for (let i = 0; i < rows.length; i += 100) yield rows.slice(i, i + 100);
  }
  return {
    type: "vulnerability",
    title: "Vulnerability report",
    filter: [["group", "web-servers"]],
    generatedAt: Date.UTC(2026, 11, 7, 10, 0, 0),
    summary: [
      ["Hosts", 120],
      ["Distinct CVEs", 240],
      ["Hosts with unknown vulnerability status", 7],
    ],
    notes: ["Unknown never means no vulnerabilities."],
    charts: [
      {
        title: "Hosts by status",
        kind: "bar",
        labels: ["affected", "unknown"],
        series: [{ name: "h", values: [113, 7] }],
      },
    ],
    table: {
      title: "Vulnerabilities",
      columns: ["host", "package", "fixed_version", "cve_id", "status"],
      pages: pages(),
    },
  };
}

describe.skipIf(!hasPdftotext)("report PDFs read back with pdftotext", () => {
  it("the title page shows the filter and the totals; the table pages hold every row", async () => {
    const rows: Cell[][] = Array.from({ length: 240 }, (_, i) => [
      `web-${String(i % 120).padStart(3, "0")}`,
      i % 2 ? "openssl" : "libc6",
      `3.0.${i}-1~deb12u1`,
      `CVE-2026-${String(1000 + i)}`,
      "affected",
    ]);
    const { bytes, rows: n } = await writePdf(vulnerabilityDoc(rows));
    expect(n).toBe(240);
    const text = pdfToText(bytes) ?? "";
    expect(text).toContain("Vulnerability report");
    expect(text).toContain("web-servers");
    expect(text).toMatch(/Distinct CVEs\s+240/);
    expect(text).toMatch(/Hosts with unknown vulnerability status\s+7/);
    for (const r of rows) expect(text).toContain(String(r[3]));
    expect(text).toContain("3.0.239-1~deb12u1");
  });
});
