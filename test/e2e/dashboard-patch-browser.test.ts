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

async function api<T>(p: string): Promise<T> {
  const res = await fetch(`${base()}/api/v1${p}`, { headers: { authorization: `Bearer ${access}` } });
  if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
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
  },
);
