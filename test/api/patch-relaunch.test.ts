import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodePlanArgs, PATCH_APPLY_COMMAND, type ServerMessage } from "@fleetgate/contract";
import { runSweeps } from "@fleetgate/tasks";
import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, jobStub } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";
import { applyReport, zlibSecurityInventory } from "./patch-fixtures";

/**
 * A `pending` job whose JobRun start was lost (docs/patching.md): the cron sweep `jobs.relaunch`
 * hands it to its JobRun again with the window instants and rollout stored in D1, so it still
 * waits for its window (and keeps its rings); repeating the sweep changes nothing.
 */
type Run = Extract<ServerMessage, { type: "run" }>;

const inventory = zlibSecurityInventory;

async function post(path: string, json: unknown) {
  return call(path, { method: "POST", headers: bearer(await adminLogin()), json });
}

describe("jobs.relaunch sweep", () => {
  it("re-launches a pending windowed job whose start was lost, still waiting for its window, with its rings", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, {
      scripts: { [PATCH_APPLY_COMMAND]: () => ({ exit_code: 0, stdout: applyReport, stderr: "" }) } as never,
    });
    agent.send({ type: "inventory", inventory: inventory() });
    await agent.waitFor((f) => f.type === "inventory_ack");
    const win = await post(`/api/v1/hosts/${host.id}/maintenance-windows`, {
      label: `w-${crypto.randomUUID().slice(0, 6)}`,
      recurrence: "once",
      start_at: new Date(Date.now() + 2 * 3_600_000).toISOString(),
      duration_minutes: 60,
      auto_apply: false,
    });
    const winId = ((await win.json()) as { id: string }).id;
    const res = await post("/api/v1/jobs", {
      host_ids: [host.id],
      packages: [],
      immediate: false,
      maintenance_window_id: winId,
      on_health_failure: "rollback",
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const stored = await env.DB.prepare("SELECT not_before, last_start_at, ring_count FROM patch_jobs WHERE job_id = ?")
      .bind(id)
      .first<{ not_before: number; last_start_at: number; ring_count: number }>();
    expect(stored?.not_before).toBeGreaterThan(Date.now() + 3_600_000);
    expect(stored?.ring_count).toBe(1);

    // The start is lost: the JobRun has nothing; D1 says pending (created long enough ago).
    const stub = jobStub(id);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("DELETE FROM hosts");
      state.storage.sql.exec("DELETE FROM job");
    });
    await evictDurableObject(stub);
    await env.DB.prepare("UPDATE jobs SET created_at = created_at - 120000 WHERE id = ?").bind(id).run();
    expect((await jobStub(id).progress()).found).toBe(false);

    const out = await runSweeps(env, Date.now());
    expect(out.find((s) => s.name === "jobs.relaunch")).toEqual({ name: "jobs.relaunch" });
    const progress = await jobStub(id).progress();
    expect(progress).toMatchObject({ found: true, status: "pending", complete: false });
    const plan = await runInDurableObject(jobStub(id), (_i, state) =>
      JSON.parse(state.storage.sql.exec<{ plan: string }>("SELECT plan FROM job").one().plan),
    );
    expect(plan).toMatchObject({
      not_before: stored?.not_before,
      last_start_at: stored?.last_start_at,
      rollout: { ring_count: 1, on_health_failure: "rollback" },
    });
    expect(decodePlanArgs(plan.hosts[0].args)).toMatchObject({ jobId: id, gate: true });

    // Idempotent: a second sweep changes nothing, and nothing ran before the window.
    await runSweeps(env, Date.now());
    expect((await jobStub(id).progress()).status).toBe("pending");
    expect(agent.frames.filter((f): f is Run => f.type === "run")).toEqual([]);
    agent.close();
  });
});
