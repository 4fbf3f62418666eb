/**
 * The dashboard's patch deployment in Chromium, end to end (issue 12's browser story): two REAL agents
 * in sandbox mode (test/e2e/patch-sandbox.ts) report one pending security update each; the patch
 * deployment page plans a rollout in two rings and submits it; the job page follows it live to the
 * end (job succeeded, both rings passed), and both hosts then have the new version installed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { debToolsMissing, sandboxVersion } from "../../packages/agent/src/test-support/deb-repo";
import { wrangler } from "../../scripts/lib/local-server.mjs";
import { type AgentProcess, adminAccess, until } from "./agent-process";
import { artifactPath, type BrowserSession, hasChromium, launch, newPage, signIn } from "./browser";
import { E2E_ADMIN } from "./global-setup";
import { type AptSandbox, buildDemoRepos, startSandboxAgent } from "./patch-sandbox";

const missing = debToolsMissing() ?? (hasChromium ? null : "/usr/bin/chromium");
if (missing) console.log(`skip: the dashboard patch e2e needs ${missing}`);

const base = () => inject("baseUrl");
const suffix = Math.random().toString(36).slice(2, 7);
const tag = `dpatch-${suffix}`;
let access = "";
let work = "";
let browser: BrowserSession | undefined;
const agents: AgentProcess[] = [];
const sandboxes: AptSandbox[] = [];

async function api<T>(p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base()}/api/v1${p}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${access}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${body === undefined ? "GET" : "POST"} ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe.skipIf(missing !== null)(
  "dashboard patch deployment in Chromium with real agents",
  { timeout: 120_000 },
  () => {
    beforeAll(async () => {
      work = mkdtempSync(path.join(tmpdir(), "fg-e2e-dpatch-"));
      const repos = buildDemoRepos(work);
      access = await adminAccess(base());
      for (const n of ["a", "b"]) {
        const { agent, sandbox } = await startSandboxAgent(base(), access, work, repos, n, `${tag}-${n}`);
        agents.push(agent);
        sandboxes.push(sandbox);
      }
      browser = await launch();
      await Promise.all(agents.map((a) => a.waitOnline(access)));
      // Each agent reports its pending update on connect.
      for (const a of agents)
        await until(async () => {
          const u = await api<{ updates: { name: string; candidate_version: string }[] }>(`/hosts/${a.hostId}/updates`);
          return u.updates.some((x) => x.name === "demo" && x.candidate_version === "2.0-1");
        });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await Promise.all(agents.map((a) => a.dispose()));
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it("plans two rings on the patch page, submits, and the job page follows the rollout to the end", async () => {
      if (!browser) throw new Error("no browser");
      const [a, b] = agents;
      if (!a || !b) throw new Error("agents missing");
      const { context, page, errors } = await newPage(browser, base());
      await signIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
      await page.goto(`/app/patching?search=${tag}`);
      // The hosts with pending updates (the default scope), each with its update security first.
      await page.getByRole("checkbox", { name: `Select ${a.name}` }).check();
      await page.getByRole("checkbox", { name: `Select ${b.name}` }).check();
      expect(await page.getByTestId("patch-targets").textContent()).toBe(`2 host(s) selected: ${a.name}, ${b.name}`);
      await page.getByRole("button", { name: `Show updates of ${a.name}` }).click();
      await page.locator("tr", { hasText: "demo" }).filter({ hasText: "2.0-1" }).first().waitFor();
      // Two rings of one host each (in the order selected): ring 2 starts only when ring 1 passed.
      await page.getByLabel(/^Ring sizes/).fill("1, 1");
      await page.getByLabel(/^When a health check fails/).selectOption("rollback");
      await page.getByRole("button", { name: "Deploy to 2 host(s)…" }).click();
      const dialog = page.getByRole("dialog", { name: "Deploy patches" });
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/v1/jobs"),
        dialog.getByRole("button", { name: "Deploy to 2 host(s)" }).click(),
      ]);
      expect(answer.status()).toBe(200);
      const { id } = (await answer.json()) as { id: string };
      // The page opens the job's live view and follows it to the end.
      await page.waitForURL(`**/app/jobs/${id}`);
      const rings = page.getByTestId("job-rings");
      await page.locator(".page-head .badge", { hasText: "Finished" }).waitFor({ timeout: 60_000 });
      expect(await page.locator(".page-head .badge").first().textContent()).toBe("succeeded");
      await expect
        .poll(() => rings.locator("tbody tr td:nth-child(2)").allTextContents())
        .toEqual(["passed", "passed"]);
      expect(await rings.locator("tbody tr td:nth-child(4)").allTextContents()).toEqual(["1", "1"]);
      expect(await page.getByTestId("job-counts").textContent()).toMatch(
        /^2 of 2 hosts finished · 2 succeeded · 0 failed/,
      );
      await page.screenshot({ path: artifactPath("patch-job-light.png"), fullPage: true });
      // Both hosts now have the new version: in their sandbox roots and in the inventory they reported.
      for (const sb of sandboxes) expect(sandboxVersion(sb, "demo")?.version).toBe("2.0-1");
      for (const h of [a, b])
        await until(async () => {
          const p = await api<{ packages: { name: string; version: string }[] }>(
            `/hosts/${h.hostId}/packages?search=demo`,
          );
          return p.packages.some((x) => x.name === "demo" && x.version === "2.0-1");
        });
      expect(errors).toEqual([]);
      await context.close();
    });

    it("the overview charts a group's open CVEs by severity over time; its table twin shows the API's numbers", async () => {
      if (!browser) throw new Error("no browser");
      // Snapshots are the cron's (their figures are tested in test/api/cve-history.isolated.test.ts):
      // three of a new group, seeded into the dev server's D1, the oldest from before CVEs were counted.
      const group = await api<{ id: string }>("/groups", { name: `cves-${suffix}` });
      const day = (n: number) => Date.now() - n * 86_400_000;
      const row = (t: number, cves: string) =>
        `('${crypto.randomUUID()}', '${group.id}', '${group.id}', ${t}, 'daily', 2, 1, 1, 0, 50, 3, '{}', '{}', '{}', ${cves}, ${t})`;
      const rows = [
        row(day(3), "NULL"),
        row(day(2), `'{"critical":1,"high":2,"medium":0,"low":4,"unknown":5}'`),
        row(day(1), `'{"critical":0,"high":2,"medium":1,"low":4,"unknown":5}'`),
      ];
      const sql = `INSERT INTO compliance_snapshots (id, scope, group_id, taken_at, reason, total_hosts, compliant, non_compliant,
      unknown, compliance_pct, total_pending, pending_by_severity, patch_age, last_seen, cves_by_severity, created_at)
      VALUES ${rows.join(", ")}`;
      const res = wrangler(["d1", "execute", "DB", "--local", "--persist-to", inject("persistDir"), "--command", sql]);
      if (res.status !== 0) throw new Error(`seed failed: ${res.stdout}\n${res.stderr}`);
      const history = await api<{ points: { cves_by_severity: Record<string, number> | null }[] }>(
        `/status/history?group_id=${group.id}`,
      );
      expect(history.points.map((p) => p.cves_by_severity?.critical ?? null)).toEqual([null, 1, 0]);
      const { context, page, errors } = await newPage(browser, base(), "dark");
      await signIn(page, E2E_ADMIN.username, E2E_ADMIN.password);
      await page.goto(`/app/?group_id=${group.id}`);
      const title = "Open CVEs by severity over 30 days";
      const table = page.locator(`table[data-chart-table="${title}"]`);
      await page.locator("figure", { hasText: title }).getByText("View as table").click();
      expect(await table.locator("thead th").allTextContents()).toEqual([
        "Day",
        "critical",
        "high",
        "medium",
        "low",
        "unknown",
      ]);
      // The snapshot without CVE counts is left out, not drawn as zeros.
      await expect
        .poll(() => table.locator("tbody td").allTextContents())
        .toEqual(["1", "2", "0", "4", "5", "0", "2", "1", "4", "5"]);
      await page.screenshot({ path: artifactPath("overview-cves-dark.png"), fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    });
  },
);
