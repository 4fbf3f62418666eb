import { env } from "cloudflare:workers";
import {
  decodePlanArgs,
  type Inventory,
  PATCH_APPLY_COMMAND,
  PATCH_ROLLBACK_COMMAND,
  type ServerMessage,
} from "@fleetgate/contract";
import { PATCH_EXIT } from "@fleetgate/contract/patching";
import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually, type SimAgent } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { applyReport, debianOs } from "./patch-fixtures";

/**
 * Health-gated rollouts with simulated agents (docs/patching.md "Rings"): rings run one after
 * another; a ring whose post-patch check fails stops the rollout (later rings never start) and,
 * with `on_health_failure: rollback`, gets an automatic rollback job of its hosts; the agent's
 * health gate reads the host's checks (password only in the frame) and its results are kept.
 */
type Run = Extract<ServerMessage, { type: "run" }>;

const inventory = (): Inventory => ({
  os: debianOs,
  packages: [{ name: "demo", version: "1.0", arch: "all", source: "demo", source_version: "1.0", status: "ii" }],
  updates: [
    {
      name: "demo",
      arch: "all",
      current_version: "1.0",
      candidate_version: "2.0",
      origins: ["Debian:12/stable"],
      security: false,
      cve_ids: [],
    },
  ],
  removals: [],
  reboot_required: false,
  reboot_reasons: [],
  lists_age_secs: 10,
  collected_at: Date.now(),
});

/** A host whose agent answers the apply with `applyExit` (4: post-check failed) and rollbacks with 0. */
async function host(applyExit: number = PATCH_EXIT.ok): Promise<{ id: string; agent: SimAgent }> {
  const h = await enrollHost();
  const agent = await connectAgent(h, {
    scripts: {
      [PATCH_APPLY_COMMAND]: () => ({
        exit_code: applyExit,
        stdout: applyReport,
        stderr: applyExit === PATCH_EXIT.postCheckFailed ? "post-patch health check failed" : "",
      }),
      [PATCH_ROLLBACK_COMMAND]: () => ({ exit_code: 0, stdout: "{}", stderr: "" }),
    },
  });
  agent.send({ type: "inventory", inventory: inventory() });
  await agent.waitFor((f) => f.type === "inventory_ack");
  return { id: h.id, agent };
}

async function post(path: string, json?: unknown) {
  return call(path, { method: "POST", headers: bearer(await adminLogin()), ...(json === undefined ? {} : { json }) });
}

interface Ring {
  index: number;
  state: string;
  host_ids: string[];
  reason: string | null;
  rollback_job_id: string | null;
  health_failed_count: number;
}
interface Detail {
  job: {
    status: string;
    kind: string;
    parent_job_id: string | null;
    on_health_failure: string | null;
    rings: Ring[] | null;
  };
  hosts: { host_id: string; status: string; error_message: string | null }[];
}
async function getJob(id: string): Promise<Detail> {
  return (await (await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) })).json()) as Detail;
}
const ended = (id: string) =>
  eventually(async () => {
    const d = await getJob(id);
    return ["succeeded", "failed", "cancelled"].includes(d.job.status) ? d : undefined;
  }, 15_000);
/** The all-jobs WebSocket stream, recording every frame. */
async function stream(): Promise<{ frames: Record<string, unknown>[]; ws: WebSocket }> {
  const t = await call("/api/v1/ws/ticket", { method: "POST", headers: bearer(await adminLogin()) });
  const { ticket } = (await t.json()) as { ticket: string };
  const res = await call(`/api/v1/ws/jobs?ticket=${ticket}`, {
    headers: { Upgrade: "websocket", Origin: "http://127.0.0.1:8787" },
  });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status}`);
  ws.accept();
  const frames: Record<string, unknown>[] = [];
  ws.addEventListener("message", (e) => frames.push(JSON.parse(String(e.data)) as Record<string, unknown>));
  return { frames, ws };
}
const runsOf = (agent: SimAgent, script: string) =>
  agent.frames.filter((f): f is Run => f.type === "run" && f.script === script);

describe("rings: validation", () => {
  it("every host in exactly one ring, only hosts of host_ids; bad on_health_failure is 400", async () => {
    const a = await host();
    const b = await host();
    const stranger = crypto.randomUUID();
    for (const [rings, text] of [
      [[[a.id], [stranger]], "is not in host_ids"],
      [[[a.id, b.id], [b.id]], "more than one ring"],
      [[[a.id]], "must be in a ring"],
    ] as const) {
      const res = await post("/api/v1/jobs", { host_ids: [a.id, b.id], packages: [], immediate: true, rings });
      expect(res.status).toBe(400);
      expect((await nativeError(res)).message).toContain(text);
    }
    const bad = await post("/api/v1/jobs", { host_ids: [a.id], packages: [], immediate: true, on_health_failure: "x" });
    expect(bad.status).toBe(400);
    const empty = await post("/api/v1/jobs", { host_ids: [a.id], packages: [], immediate: true, rings: [[]] });
    expect(empty.status).toBe(400);
    a.agent.close();
    b.agent.close();
  });
});

describe("rings: health-gated rollout", () => {
  it("ring 2 starts only after ring 1 passed; every apply is health-gated", async () => {
    const a = await host();
    const b = await host();
    const res = await post("/api/v1/jobs", {
      host_ids: [a.id, b.id],
      packages: [],
      immediate: true,
      rings: [[b.id], [a.id]],
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const d = await ended(id);
    expect(d.job.status).toBe("succeeded");
    expect(d.job.on_health_failure).toBe("stop");
    expect(d.job.rings?.map((r) => [r.index, r.state, r.host_ids])).toEqual([
      [0, "passed", [b.id]],
      [1, "passed", [a.id]],
    ]);
    const [runA] = runsOf(a.agent, PATCH_APPLY_COMMAND);
    const [runB] = runsOf(b.agent, PATCH_APPLY_COMMAND);
    expect(decodePlanArgs(runB?.args ?? [])).toMatchObject({ jobId: id, gate: true });
    // Ring 1 (host b) finished before ring 2 (host a) was sent anything.
    const times = await env.DB.prepare("SELECT host_id, started_at, completed_at FROM job_hosts WHERE job_id = ?")
      .bind(id)
      .all<{ host_id: string; started_at: number; completed_at: number }>();
    const at = new Map(times.results.map((r) => [r.host_id, r]));
    expect(at.get(a.id)?.started_at ?? 0).toBeGreaterThanOrEqual(at.get(b.id)?.completed_at ?? Number.MAX_VALUE);
    expect(runA).toBeDefined();
    a.agent.close();
    b.agent.close();
  });

  it("a failed post-check fails ring 1: ring 2 never starts and the ring is rolled back automatically", async () => {
    const sick = await host(PATCH_EXIT.postCheckFailed);
    const fine = await host();
    const later = await host();
    const events = await stream();
    const res = await post("/api/v1/jobs", {
      host_ids: [sick.id, fine.id, later.id],
      packages: [],
      immediate: true,
      rings: [[sick.id, fine.id], [later.id]],
      on_health_failure: "rollback",
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const d = await ended(id);
    expect(d.job.status).toBe("failed");
    const [r1, r2] = d.job.rings ?? [];
    expect(r1).toMatchObject({ state: "failed", health_failed_count: 1 });
    expect(r1?.reason).toContain("post-patch health check failed");
    expect(r2).toMatchObject({ state: "cancelled", host_ids: [later.id] });
    expect(runsOf(later.agent, PATCH_APPLY_COMMAND)).toEqual([]);
    expect(d.hosts.find((h) => h.host_id === later.id)).toMatchObject({
      status: "cancelled",
      error_message: expect.stringContaining("ring 2 not started: ring 1 failed"),
    });
    // The automatic rollback: a rollback job of ring 1's hosts, parent = the patch job.
    const rollbackId = r1?.rollback_job_id ?? "";
    expect(rollbackId).toMatch(/^[0-9a-f-]{36}$/);
    const rb = await ended(rollbackId);
    expect(rb.job).toMatchObject({ kind: "rollback", parent_job_id: id, status: "succeeded" });
    expect(rb.hosts.map((h) => h.host_id).sort()).toEqual([sick.id, fine.id].sort());
    const [rollbackRun] = runsOf(sick.agent, PATCH_ROLLBACK_COMMAND);
    expect(rollbackRun?.args).toEqual([id]);
    expect(runsOf(later.agent, PATCH_ROLLBACK_COMMAND)).toEqual([]);
    const audit = await env.DB.prepare(
      "SELECT actor_id, detail FROM audit_log WHERE action = 'job.create' AND target_id = ?",
    )
      .bind(rollbackId)
      .first<{ actor_id: string | null; detail: string }>();
    expect(audit?.actor_id).toBeNull();
    expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({ automatic: true, ring: 0, parent_job_id: id });
    // Ring transitions on the WebSocket stream.
    const rings = await eventually(async () => {
      const r = events.frames.filter((f) => f.job_id === id && f.event_type === "ring");
      return r.some((f) => f.status === "rolling_back") && r.some((f) => f.ring === 1) ? r : undefined;
    });
    expect(rings.map((f) => [f.ring, f.status])).toEqual(
      expect.arrayContaining([
        [0, "failed"],
        [0, "rolling_back"],
        [1, "cancelled"],
      ]),
    );
    expect(rings.find((f) => f.status === "rolling_back")?.rollback_job_id).toBe(rollbackId);
    events.ws.close();
    for (const h of [sick, fine, later]) h.agent.close();
  });

  it("on_health_failure stop: the rollout stops, nothing is rolled back", async () => {
    const sick = await host(PATCH_EXIT.postCheckFailed);
    const later = await host();
    const res = await post("/api/v1/jobs", {
      host_ids: [sick.id, later.id],
      packages: [],
      immediate: true,
      rings: [[sick.id], [later.id]],
      on_health_failure: "stop",
    });
    const { id } = (await res.json()) as { id: string };
    const d = await ended(id);
    expect(d.job.rings?.map((r) => r.state)).toEqual(["failed", "cancelled"]);
    expect(d.job.rings?.[0]?.rollback_job_id).toBeNull();
    expect(runsOf(sick.agent, PATCH_ROLLBACK_COMMAND)).toEqual([]);
    expect(runsOf(later.agent, PATCH_APPLY_COMMAND)).toEqual([]);
    sick.agent.close();
    later.agent.close();
  });
});

describe("health gate frames", () => {
  it("the agent gets its host's enabled checks (password in the frame only); gate results are kept", async () => {
    const h = await host();
    const admin = await adminLogin();
    const created = await call(`/api/v1/hosts/${h.id}/health-checks`, {
      method: "POST",
      headers: bearer(admin),
      json: {
        name: "api",
        check_type: "http",
        url: "https://127.0.0.1:9/health",
        basic_auth_user: "probe",
        basic_auth_pass: "gate-Pass-1!",
      },
    });
    expect(created.status).toBe(201);
    const check = (await created.json()) as { id: string };
    h.agent.send({ type: "health_gate", request_id: "g1", job_id: "job-x", phase: "pre" });
    const answer = await h.agent.waitFor((f) => f.type === "health_gate_checks");
    expect(answer).toMatchObject({
      request_id: "g1",
      checks: [{ id: check.id, check_type: "http", basic_auth_user: "probe", basic_auth_pass: "gate-Pass-1!" }],
    });
    // Results of a job this host is part of are kept with their phase; another job's are not.
    const job = (await (
      await post("/api/v1/jobs", { host_ids: [h.id], packages: [], immediate: true, on_health_failure: "stop" })
    ).json()) as { id: string };
    const result = { check_id: check.id, healthy: false, detail: "HTTP 503", latency_ms: 3 };
    h.agent.send({ type: "health_gate_results", job_id: job.id, phase: "post", results: [result] });
    h.agent.send({ type: "health_gate_results", job_id: crypto.randomUUID(), phase: "post", results: [result] });
    const rows = await eventually(async () => {
      const r = await env.DB.prepare("SELECT phase, job_id, healthy FROM health_check_results WHERE check_id = ?")
        .bind(check.id)
        .all();
      return r.results.length > 0 ? r.results : undefined;
    });
    expect(rows).toEqual([{ phase: "post", job_id: job.id, healthy: 0 }]);
    h.agent.close();
  });
});
