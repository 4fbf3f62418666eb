import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { PATCH_APPLY_COMMAND, type ServerMessage } from "@fleetgate/contract";
import { runSweeps } from "@fleetgate/tasks";
import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually, jobStub, type SimAgent } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { applyReport, zlibSecurityInventory } from "./patch-fixtures";

/**
 * Patch jobs that wait for their maintenance window: `pending` until the window opens (the
 * JobRun's alarm starts them), cancel while pending, no host starts after the window's end minus
 * the expected duration. The window instants live in the JobRun's plan; tests move them into
 * the past and run the alarm — never sleeps.
 */
type Run = Extract<ServerMessage, { type: "run" }>;

const inventory = zlibSecurityInventory;

async function patchHost(): Promise<{ id: string; agent: SimAgent }> {
  const host = await enrollHost();
  const agent = await connectAgent(host, {
    scripts: { [PATCH_APPLY_COMMAND]: () => ({ exit_code: 0, stdout: applyReport, stderr: "" }) } as never,
  });
  agent.send({ type: "inventory", inventory: inventory() });
  await agent.waitFor((f) => f.type === "inventory_ack");
  return { id: host.id, agent };
}

async function post(path: string, json?: unknown) {
  return call(path, { method: "POST", headers: bearer(await adminLogin()), ...(json === undefined ? {} : { json }) });
}

/** A `once` window of `minutes` starting `inMs` from now. */
async function windowOn(hostId: string, inMs: number, minutes = 60, autoApply = false): Promise<string> {
  const res = await post(`/api/v1/hosts/${hostId}/maintenance-windows`, {
    label: `w-${crypto.randomUUID().slice(0, 6)}`,
    recurrence: "once",
    start_at: new Date(Date.now() + inMs).toISOString(),
    duration_minutes: minutes,
    auto_apply: autoApply,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

async function getJob(id: string) {
  const res = await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) });
  return (await res.json()) as {
    job: Record<string, unknown>;
    hosts: { status: string; error_message: string | null }[];
  };
}
const waitStatus = (id: string, status: string) =>
  eventually(async () => ((await getJob(id)).job.status === status ? true : undefined));

/** Moves the window instants of a pending job's plan (as if time had passed), then runs its alarm. */
async function timePasses(jobId: string, plan: { not_before?: number; last_start_at?: number }) {
  const stub = jobStub(jobId);
  await runInDurableObject(stub, (_i, state) => {
    for (const [k, v] of Object.entries(plan)) {
      state.storage.sql.exec(`UPDATE job SET plan = json_set(plan, '$.${k}', ?)`, v);
    }
  });
  await evictDurableObject(stub);
  await runDurableObjectAlarm(stub);
}

describe("patch jobs in maintenance windows", () => {
  it("a job bound to a window is pending until the window opens, then runs", async () => {
    const { id: hostId, agent } = await patchHost();
    const winId = await windowOn(hostId, 3_600_000);
    const res = await post("/api/v1/jobs", {
      host_ids: [hostId],
      packages: [],
      immediate: false,
      maintenance_window_id: winId,
      expected_minutes: 20,
    });
    expect(res.status).toBe(200);
    const job = (await res.json()) as { id: string };
    const detail = await getJob(job.id);
    expect(detail.job).toMatchObject({ status: "pending", immediate: false, maintenance_window_id: winId });
    expect(detail.job.started_at).toBeNull();
    expect(detail.hosts[0]?.status).toBe("pending");
    // The alarm before the window opens changes nothing.
    await runDurableObjectAlarm(jobStub(job.id));
    expect((await getJob(job.id)).job.status).toBe("pending");
    expect(agent.runs).toHaveLength(0);

    await timePasses(job.id, { not_before: Date.now() - 1000 });
    const run = await agent.waitFor((f): f is Run => f.type === "run");
    expect(run.script).toBe(PATCH_APPLY_COMMAND);
    const hostBefore = await call(`/api/v1/hosts/${hostId}`, { headers: bearer(await adminLogin()) });
    expect(((await hostBefore.json()) as { last_patch_at: string | null }).last_patch_at).toBeNull();
    await waitStatus(job.id, "succeeded");
    expect((await getJob(job.id)).job.started_at).not.toBeNull();
    // last_patch_at: when the host last completed a patch job.
    const hostAfter = await call(`/api/v1/hosts/${hostId}`, { headers: bearer(await adminLogin()) });
    expect(((await hostAfter.json()) as { last_patch_at: string | null }).last_patch_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    agent.close();
  });

  it("immediate:false uses the host's own window; a pending job can be cancelled and never starts", async () => {
    const { id: hostId, agent } = await patchHost();
    const winId = await windowOn(hostId, 7_200_000);
    const res = await post("/api/v1/jobs", { host_ids: [hostId], packages: [], immediate: false });
    expect(res.status).toBe(200);
    const job = (await res.json()) as { id: string };
    expect((await getJob(job.id)).job).toMatchObject({ status: "pending", maintenance_window_id: winId });
    const cancel = await post(`/api/v1/jobs/${job.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toEqual({ message: "Job cancelled" });
    await waitStatus(job.id, "cancelled");
    await timePasses(job.id, { not_before: Date.now() - 1000 });
    const after = await getJob(job.id);
    expect(after.job.status).toBe("cancelled");
    expect(after.hosts[0]?.status).toBe("cancelled");
    expect(agent.runs).toHaveLength(0);
    const again = await post(`/api/v1/jobs/${job.id}/cancel`);
    expect(again.status).toBe(409);
    agent.close();
  });

  it("no host starts after the window's end minus the expected duration", async () => {
    const { id: hostId, agent } = await patchHost();
    const winId = await windowOn(hostId, 600_000);
    const job = (await (
      await post("/api/v1/jobs", { host_ids: [hostId], packages: [], immediate: false, maintenance_window_id: winId })
    ).json()) as { id: string };
    // The window opened, but the last start for a 15-minute run has passed.
    await timePasses(job.id, { not_before: Date.now() - 60_000, last_start_at: Date.now() - 1000 });
    await waitStatus(job.id, "failed");
    const d = await getJob(job.id);
    expect(d.hosts[0]).toMatchObject({
      status: "cancelled",
      error_message: "maintenance window closes before the host could finish",
    });
    expect(agent.runs).toHaveLength(0);
    agent.close();
  });

  it("a window that is already open starts the job at once", async () => {
    const { id: hostId, agent } = await patchHost();
    const winId = await windowOn(hostId, -60_000, 120);
    const res = await post("/api/v1/jobs", { host_ids: [hostId], packages: [], maintenance_window_id: winId });
    const job = (await res.json()) as { id: string };
    await agent.waitFor((f): f is Run => f.type === "run");
    await waitStatus(job.id, "succeeded");
    agent.close();
  });

  it("refuses what cannot be scheduled: unknown window 404, window shorter than the run 400, host without a window 400", async () => {
    const { id: hostId, agent } = await patchHost();
    const unknown = await post("/api/v1/jobs", {
      host_ids: [hostId],
      packages: [],
      maintenance_window_id: crypto.randomUUID(),
    });
    expect(unknown.status).toBe(404);
    expect((await nativeError(unknown)).message).toBe("Maintenance window not found");
    const short = await windowOn(hostId, 3_600_000, 10);
    const tooShort = await post("/api/v1/jobs", {
      host_ids: [hostId],
      packages: [],
      maintenance_window_id: short,
      expected_minutes: 30,
    });
    expect(tooShort.status).toBe(400);
    const bad = await post("/api/v1/jobs", { host_ids: [hostId], packages: [], expected_minutes: 0 });
    expect(bad.status).toBe(400);
    const { id: bare, agent: a2 } = await patchHost();
    const none = await post("/api/v1/jobs", { host_ids: [bare], packages: [], immediate: false });
    expect(none.status).toBe(400);
    expect((await nativeError(none)).message).toMatch(/has no enabled maintenance window/);
    agent.close();
    a2.close();
  });

  it("an open auto_apply window gets one security-only job per occurrence from the cron sweep", async () => {
    const { id: hostId, agent } = await patchHost();
    const { id: manualHost, agent: a2 } = await patchHost();
    const winId = await windowOn(hostId, -60_000, 120, true);
    await windowOn(manualHost, -60_000, 120, false);
    const jobsOf = async (host: string) =>
      (
        await env.DB.prepare(
          "SELECT j.id, j.kind, j.notes, p.maintenance_window_id, p.security_only FROM jobs j JOIN job_hosts h ON h.job_id = j.id JOIN patch_jobs p ON p.job_id = j.id WHERE h.host_id = ?",
        )
          .bind(host)
          .all<{ id: string; kind: string; notes: string; maintenance_window_id: string; security_only: number }>()
      ).results;
    const out = await runSweeps(env, Date.now());
    expect(out.find((s) => s.name === "patching.auto_apply")).toEqual({ name: "patching.auto_apply" });
    const created = await jobsOf(hostId);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ kind: "patch_apply", maintenance_window_id: winId, security_only: 1 });
    expect(created[0]?.notes).toMatch(/^Auto-apply of security updates in window/);
    const run = await agent.waitFor((f): f is Run => f.type === "run");
    expect(run.script).toBe(PATCH_APPLY_COMMAND);
    await waitStatus(created[0]?.id ?? "", "succeeded");
    // The next sweep in the same occurrence creates nothing; a window without auto_apply never gets a job.
    await runSweeps(env, Date.now());
    expect(await jobsOf(hostId)).toHaveLength(1);
    expect(await jobsOf(manualHost)).toHaveLength(0);
    agent.close();
    a2.close();
  });
});
