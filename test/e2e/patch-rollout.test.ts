/**
 * End to end, the user story of issue 12 (docs/patching.md "Rings"): the control plane plus two
 * REAL agents in sandbox mode (each a temporary dpkg root; a `file:` repo built here with
 * dpkg-deb/dpkg-scanpackages). A patch job in two rings with `on_health_failure: rollback`: ring 1's
 * agent checks its host before (healthy) and after patching (its HTTP check now fails), so ring 1
 * fails, ring 2 never starts, and the automatic rollback restores ring 1's exact previous version.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { debToolsMissing, sandboxVersion } from "../../packages/agent/src/test-support/deb-repo";
import { type AgentProcess, adminAccess, until } from "./agent-process";
import { type AptSandbox, buildDemoRepos, startSandboxAgent } from "./patch-sandbox";

const missing = debToolsMissing();
if (missing) console.log(`skip: the patch rollout e2e needs Debian's tools: ${missing}`);

const base = () => inject("baseUrl");
const suffix = Math.random().toString(36).slice(2, 7);
let access = "";
let work = "";
let server: Server | undefined;
let port = 0;
const agents: AgentProcess[] = [];
const sandboxes: AptSandbox[] = [];

async function api<T>(method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base()}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${access}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface Detail {
  job: {
    status: string;
    kind: string;
    parent_job_id: string | null;
    rings: { state: string; reason: string | null; rollback_job_id: string | null }[] | null;
  };
  hosts: { host_id: string; status: string; exit_code: number | null; error_message: string | null; stdout: string }[];
}
const ended = (id: string) =>
  until(async () => {
    const d = (await api<Detail>("GET", `/jobs/${id}`)).body;
    return ["succeeded", "failed", "cancelled"].includes(d.job.status) ? d : undefined;
  }, 45_000);

describe.skipIf(missing !== null)("patch rollout e2e", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "fg-e2e-rollout-"));
    const repos = buildDemoRepos(work);
    access = await adminAccess(base());
    for (const n of ["r1", "r2"]) {
      // Version 1.0-1 installed from repo1; repo2 (2.0-1) is added: one pending update.
      const { agent, sandbox } = await startSandboxAgent(base(), access, work, repos, n, `e2e-rollout-${n}-${suffix}`);
      sandboxes.push(sandbox);
      agents.push(agent);
    }
    // Ring 1's service: healthy while its host has demo 1.0-1, broken by 2.0-1.
    const versionFile = path.join(sandboxes[0]?.root ?? "", "usr/share/demo/version");
    server = createServer((_req, res) => {
      const broken = readFileSync(versionFile, "utf8").trim() === "2.0-1";
      res.writeHead(broken ? 503 : 200).end(broken ? "broken" : "ok");
    });
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", () => r()));
    const addr = server.address();
    port = typeof addr === "object" && addr ? addr.port : 0;
    await Promise.all(agents.map((a) => a.waitOnline(access)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.dispose()));
    server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("ring 1's post-check fails: ring 2 never starts, ring 1 is rolled back to its exact previous version", async () => {
    const [r1, r2] = agents;
    if (!r1 || !r2) throw new Error("agents missing");
    // Both hosts reported the pending update (the agent reports on connect).
    for (const a of agents) {
      await until(async () => {
        const u = await api<{ updates: { name: string; candidate_version: string }[] }>(
          "GET",
          `/hosts/${a.hostId}/updates`,
        );
        return u.body.updates?.some((x) => x.name === "demo" && x.candidate_version === "2.0-1");
      });
    }
    const check = await api<{ id: string }>("POST", `/hosts/${r1.hostId}/health-checks`, {
      name: "demo service",
      check_type: "http",
      url: `http://127.0.0.1:${port}/health`,
      expected_body: "ok",
    });
    expect(check.status).toBe(201);
    const created = await api<{ id: string }>("POST", "/jobs", {
      host_ids: [r1.hostId, r2.hostId],
      packages: [],
      immediate: true,
      rings: [[r1.hostId], [r2.hostId]],
      on_health_failure: "rollback",
      notes: `rollout e2e ${suffix}`,
    });
    expect(created.status).toBe(200);
    const job = await ended(created.body.id);
    expect(job.job.status).toBe("failed");
    expect(job.job.rings?.map((r) => r.state)).toEqual(["failed", "cancelled"]);
    expect(job.hosts.find((h) => h.host_id === r1.hostId)).toMatchObject({ status: "failed", exit_code: 4 });
    expect(job.hosts.find((h) => h.host_id === r2.hostId)).toMatchObject({ status: "cancelled" });
    const rollbackId = job.job.rings?.[0]?.rollback_job_id ?? "";
    expect(rollbackId).not.toBe("");
    const rb = await ended(rollbackId);
    expect(rb.job.status, JSON.stringify(rb.hosts)).toBe("succeeded");
    expect(rb.job).toMatchObject({ kind: "rollback", parent_job_id: created.body.id, status: "succeeded" });
    // Ring 1: exactly the previous version again, held; ring 2 untouched.
    const [sb1, sb2] = sandboxes;
    if (!sb1 || !sb2) throw new Error("sandboxes missing");
    expect(sandboxVersion(sb1, "demo")).toEqual({ version: "1.0-1", status: "hi" });
    expect(sandboxVersion(sb2, "demo")?.version).toBe("1.0-1");
    // The gate's results are kept: healthy before, unhealthy after.
    const checks = await api<{ checks: { id: string; last_result: { healthy: boolean } | null }[] }>(
      "GET",
      `/hosts/${r1.hostId}/health-checks`,
    );
    expect(checks.body.checks[0]?.last_result?.healthy).toBe(false);
  });
});
