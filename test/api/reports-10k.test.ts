import { env } from "cloudflare:workers";
import { PDFDocument } from "@pdfme/pdf-lib";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { parseCsv } from "./csv-parse";
import { call } from "./helpers";
import { pdfPageTexts } from "./pdf-text";
import { createGroup, download, pollTask, seedManyHosts } from "./task-helpers";

const N = 10_000;
const DAY = 86_400_000;

/**
 * 10,000 hosts in one group, seeded straight into D1: every second one reported an inventory; of
 * those, every fifth (i % 10 = 0) has a security update pending for 30 days (non-compliant) with a CVE.
 */
async function seedGroupOf10k(prefix: string): Promise<string> {
  await seedManyHosts(N, prefix);
  const group = await createGroup(`r10k-${prefix}`);
  const mine = `SELECT id, CAST(substr(name, length(?1) + 2) AS INTEGER) AS i FROM hosts WHERE name LIKE ?1 || '-%'`;
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(`INSERT INTO host_groups (host_id, group_id) SELECT id, ?2 FROM (${mine})`).bind(prefix, group),
    env.DB.prepare(
      `INSERT INTO host_patch_state (host_id, inventory_hash, os, package_count, update_count, security_update_count,
         reboot_required, reboot_reasons, removals, lists_age_secs, collected_at, reported_at)
       SELECT id, '', '{}', 0, 0, 0, 0, '[]', '[]', NULL, ?2, ?2 FROM (${mine}) WHERE i % 2 = 0`,
    ).bind(prefix, now),
    env.DB.prepare(
      `INSERT INTO host_updates (host_id, name, arch, current_version, candidate_version, source, security, cve_ids, origins, first_seen_at)
       SELECT id, 'openssl', 'amd64', '3.0.11-1~deb12u1', '3.0.11-1~deb12u2', 'openssl', 'true', '["CVE-2024-0727"]', '[]', ?2
       FROM (${mine}) WHERE i % 10 = 0`,
    ).bind(prefix, now - 30 * DAY),
  ]);
  return group;
}

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

describe("a 10,000-host report through the task queue", () => {
  it("report:compliance CSV and PDF hold every host with its compliance; report:vulnerability PDF renders every row", async () => {
    const prefix = `r10k${crypto.randomUUID().slice(0, 6)}`;
    const group = await seedGroupOf10k(prefix);
    const admin = await adminLogin();
    const run = async (kind: string, format: string) => {
      const t0 = performance.now();
      const res = await call("/api/v1/exports", {
        method: "POST",
        headers: bearer(admin),
        json: { kind, format, filters: { group_id: group } },
      });
      expect(res.status).toBe(202);
      const task = await pollTask(((await res.json()) as { task_id: string }).task_id, bearer(admin), 240_000);
      expect(task.status).toBe("SUCCESS");
      const file = await download(task.download_url ?? "", bearer(admin));
      const bytes = new Uint8Array(await file.arrayBuffer());
      // Figures for docs/reports.md; not assertions (workerd gives a test no memory figure).
      console.log(`${kind} ${format}, ${N} hosts: ${seconds(t0)} s to a downloaded file of ${bytes.byteLength} bytes`);
      return { file, bytes };
    };

    const csv = await run("report:compliance", "csv");
    const rows = parseCsv(new TextDecoder().decode(csv.bytes));
    expect(rows.length).toBe(N + 1);
    const header = rows[0] ?? [];
    const count = (v: string) => rows.filter((r) => r[header.indexOf("compliance")] === v).length;
    expect([count("compliant"), count("non_compliant"), count("unknown")]).toEqual([N * 0.4, N * 0.1, N * 0.5]);
    expect(new Set(rows.slice(1).map((r) => r[header.indexOf("host_id")])).size).toBe(N);

    // The PDF is streamed page by page into an R2 multipart upload (parts of 5 MiB): read back, every
    // host is a row, the title page has the totals and the last page the row count.
    const pdf = await run("report:compliance", "pdf");
    expect(pdf.file.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.file.headers.get("content-disposition")).toBe('attachment; filename="compliance-report.pdf"');
    const pages = await pdfPageTexts(pdf.bytes);
    expect(pages.length).toBeGreaterThanOrEqual(2 + N / 50);
    expect(pages[0]).toMatch(/Compliance report/);
    expect(pages[0]).toMatch(/\nNon-compliant\n1000\n/);
    const text = pages.join("\n");
    const names = new Set(text.match(new RegExp(`${prefix}-\\d{6}`, "g")));
    expect(names.size).toBe(N);
    expect(pages.at(-1)).toContain(`Total rows: ${N}`);
    expect(pages.filter((p, i) => !p.includes(`Compliance report - page ${i + 1} of `))).toEqual([]);

    const vuln = await run("report:vulnerability", "pdf");
    // Every host is a row (1,000 affected, 4,000 none_known, 5,000 unknown): title + chart pages,
    // then at most 50 rows per table page.
    const doc = await PDFDocument.load(vuln.bytes, { updateMetadata: false });
    expect(doc.getTitle()).toBe("Vulnerability report");
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(2 + N / 50);
  }, 600_000);
});
