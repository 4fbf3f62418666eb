import { execFileSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Cell } from "../../workers/tasks/src/exports/sheets";
import { streamPdf, writePdf } from "../../workers/tasks/src/reports/pdf-writer";
import type { ReportDocument } from "../../workers/tasks/src/reports/report-document";

/** `pdftotext -layout` of a PDF; null when poppler-utils is not installed. */
function pdfToText(bytes: Uint8Array): string | null {
  const dir = mkdtempSync(path.join(tmpdir(), "report-pdf-"));
  try {
    const file = path.join(dir, "r.pdf");
    writeFileSync(file, bytes);
    return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
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

  it("a 12,000-entry audit report streamed to a file: every entry and the total read back", async () => {
    const N = 12_000;
    const actions = ["auth.login", "host.update", "settings.update", "job.create"];
    async function* pages() {
      for (let i = 0; i < N; i += 500)
        yield Array.from({ length: Math.min(500, N - i) }, (_, k): Cell[] => {
          const n = i + k;
          return [
            n + 1,
            new Date(Date.UTC(2026, 10, 1) + n * 60_000).toISOString(),
            `user-${n % 37}`,
            actions[n % actions.length] ?? "",
            `target-${String(n).padStart(6, "0")}`,
            n % 50 === 0 ? "failure" : "success",
          ];
        });
    }
    const doc: ReportDocument = {
      type: "audit",
      title: "Audit report",
      filter: [["from", "2026-11-01"]],
      generatedAt: Date.UTC(2026, 11, 7, 10, 0, 0),
      summary: [
        ["Entries", N],
        ["Ledger verification", "valid"],
      ],
      notes: [],
      charts: [],
      table: { title: "Audit", columns: ["seq", "at", "actor", "action", "target", "outcome"], pages: pages() },
    };
    const dir = mkdtempSync(path.join(tmpdir(), "report-pdf-"));
    try {
      const file = path.join(dir, "audit.pdf");
      writeFileSync(file, "");
      const heap0 = process.memoryUsage().heapUsed;
      let peak = heap0;
      const t0 = performance.now();
      const { rows, bytes } = await streamPdf(doc, async (chunk) => {
        appendFileSync(file, chunk);
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      });
      // Figures for docs/reports.md (heap sampled at each write; not assertions).
      console.log(
        `audit PDF, ${N} entries: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${bytes} bytes, heap +${((peak - heap0) / 1048576).toFixed(1)} MB at most`,
      );
      expect(rows).toBe(N);
      const text = pdfToText(readFileSync(file)) ?? "";
      expect(text).toMatch(/Entries\s+12000/);
      expect(text).toMatch(/Total rows: 12000/);
      const targets = new Set(text.match(/target-\d{6}/g));
      expect(targets.size).toBe(N);
      expect(text.match(/failure/g)?.length).toBe(N / 50);
      const pageCount = Number(/page 1 of (\d+)/.exec(text)?.[1]);
      expect(pageCount).toBeGreaterThan(N / 50);
      expect(text).toContain(`Audit report - page ${pageCount} of ${pageCount}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
