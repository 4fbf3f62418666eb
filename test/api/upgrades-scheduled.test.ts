import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createDb, jobHostRows, selfUpgradeJobPlan } from "@fleetgate/domain";
import { describe, expect, it } from "vitest";
import { connectAgent, echo, enrollHost, jobStub } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call, nativeError } from "./helpers";

/**
 * Scheduled agent upgrades (`POST /upgrades/trigger` with `immediate: false` or a
 * `maintenance_window_id`): the self_upgrade job is `pending` until the window opens, exactly as a
 * windowed patch job. Window instants live in the JobRun's plan; tests move them into the past
 * and run the alarm — never sleeps.
 */
const sha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

const major = 100 + Math.floor(Math.random() * 1_000_000);
const OLD = `${major}.1.0`;
const NEW = `${major}.2.0`;

async function publish(version: string) {
  const body = `x64 executable ${version}`;
  const file = "fleetgate-agent-linux-x64";
  await env.EXPORTS.put(`agent/releases/${version}/${file}`, body);
  const artifacts = [{ os: "linux", arch: "x64", file, size: body.length, sha256: await sha256(body) }];
  const manifest = JSON.stringify({ name: "fleetgate-agent", version, node: "22.23.3", artifacts, packages: [] });
  await env.EXPORTS.put(`agent/releases/${version}/manifest.json`, manifest);
}

async function post(path: string, json?: unknown) {
  return call(path, { method: "POST", headers: bearer(await adminLogin()), ...(json === undefined ? {} : { json }) });
}

/** A `once` window of `minutes` starting `inMs` from now (or at `at`, to give hosts the same opening). */
async function windowOn(hostId: string, inMs: number, minutes = 60, at = Date.now() + inMs): Promise<string> {
  const res = await post(`/api/v1/hosts/${hostId}/maintenance-windows`, {
    label: `u-${crypto.randomUUID().slice(0, 6)}`,
    recurrence: "once",
    start_at: new Date(at).toISOString(),
    duration_minutes: minutes,
    auto_apply: false,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

async function getJob(id: string) {
  const res = await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) });
  return (await res.json()) as { job: Record<string, unknown>; hosts: { status: string }[] };
}

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

async function upgradeHost() {
  await publish(OLD);
  await publish(NEW);
  const host = await enrollHost();
  const agent = await connectAgent(host, { scripts: { "fleetgate-self-upgrade": echo }, version: OLD });
  await env.DB.prepare("UPDATE hosts SET arch = 'x86_64' WHERE id = ?1").bind(host.id).run();
  return { id: host.id, agent };
}

describe("scheduled agent upgrades", () => {
  it("refuses what cannot be scheduled: unknown window 404, too short 400, bad expected_minutes 400, no window 400", async () => {
    const { id, agent } = await upgradeHost();
    const unknown = await post("/api/v1/upgrades/trigger", {
      host_ids: [id],
      target_version: NEW,
      maintenance_window_id: crypto.randomUUID(),
    });
    expect(unknown.status).toBe(404);
    expect((await nativeError(unknown)).message).toBe("Maintenance window not found");
    const short = await windowOn(id, 3_600_000, 10);
    const tooShort = await post("/api/v1/upgrades/trigger", {
      host_ids: [id],
      target_version: NEW,
      maintenance_window_id: short,
      expected_minutes: 30,
    });
    expect(tooShort.status).toBe(400);
    expect((await nativeError(tooShort)).message).toMatch(/does not open again for at least expected_minutes \(30\)/);
    for (const expected_minutes of [0, 1441, "15"]) {
      const bad = await post("/api/v1/upgrades/trigger", { host_ids: [id], immediate: false, expected_minutes });
      expect(bad.status).toBe(400);
    }
    const badId = await post("/api/v1/upgrades/trigger", { host_ids: [id], maintenance_window_id: "tomorrow" });
    expect(badId.status).toBe(400);
    const { id: bare, agent: a2 } = await upgradeHost();
    const none = await post("/api/v1/upgrades/trigger", { host_ids: [bare], target_version: NEW, immediate: false });
    expect(none.status).toBe(400);
    expect((await nativeError(none)).message).toMatch(/has no enabled maintenance window/);
    // Nothing was created for the refused requests.
    const created = await env.DB.prepare("SELECT COUNT(*) AS n FROM self_upgrade_job_hosts WHERE host_id IN (?1, ?2)")
      .bind(id, bare)
      .first<{ n: number }>();
    expect(created?.n).toBe(0);
    agent.close();
    a2.close();
  });

  it("a job in a window is pending until it opens, then the alarm starts the upgrade", async () => {
    const { id, agent } = await upgradeHost();
    const winId = await windowOn(id, 3_600_000);
    const res = await post("/api/v1/upgrades/trigger", {
      host_ids: [id],
      target_version: NEW,
      immediate: false,
      maintenance_window_id: winId,
      expected_minutes: 20,
    });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    const detail = await getJob(job_id);
    // The job detail's scheduling fields as the reference for every kind (not only patch jobs).
    expect(detail.job).toMatchObject({
      kind: "self_upgrade",
      status: "pending",
      started_at: null,
      maintenance_window_id: winId,
      immediate: false,
      parent_job_id: null,
      patch_selection: null,
    });
    expect(detail.hosts[0]?.status).toBe("pending");
    const audit = await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'job.create' AND target_id = ?1")
      .bind(job_id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({ kind: "self_upgrade", maintenance_window_id: winId });
    // A replayed start (relaunchIfStuck) rebuilds the plan from D1 with the window instants, so it still waits.
    const db = createDb(env.DB);
    const row = await db.query.jobs.findFirst({ where: (j, { eq }) => eq(j.id, job_id) });
    if (!row) throw new Error("job row missing");
    const replay = await selfUpgradeJobPlan({ db }, row, await jobHostRows(db, job_id));
    expect(replay.not_before).toBeGreaterThan(Date.now());
    expect(replay.last_start_at).toBeGreaterThan(replay.not_before ?? 0);
    // An alarm before the window opens changes nothing.
    await runDurableObjectAlarm(jobStub(job_id));
    expect((await getJob(job_id)).job.status).toBe("pending");
    expect(agent.runs).toHaveLength(0);

    await timePasses(job_id, { not_before: Date.now() - 1000 });
    const run = await agent.waitFor((f) => f.type === "run" && f.script === "fleetgate-self-upgrade");
    expect(run.type === "run" && run.args).toEqual([NEW, await sha256(`x64 executable ${NEW}`), "linux-x64"]);
    agent.close();
  });

  it("immediate:false uses the hosts' own window and keeps an offline host; a pending upgrade can be cancelled", async () => {
    const { id, agent } = await upgradeHost();
    const opens = Date.now() + 7_200_000;
    await windowOn(id, 0, 60, opens);
    const offline = await enrollHost();
    await env.DB.prepare("UPDATE hosts SET arch = 'x86_64', online = 0, agent_version = ?2 WHERE id = ?1")
      .bind(offline.id, OLD)
      .run();
    await windowOn(offline.id, 0, 60, opens);
    const res = await post("/api/v1/upgrades/trigger", {
      host_ids: [id, offline.id],
      target_version: NEW,
      immediate: false,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { job_id: string; host_count: number; skipped: unknown[] };
    expect(body).toMatchObject({ host_count: 2, skipped: [] });
    expect((await getJob(body.job_id)).job.status).toBe("pending");
    const cancel = await post(`/api/v1/jobs/${body.job_id}/cancel`);
    expect(cancel.status).toBe(200);
    await timePasses(body.job_id, { not_before: Date.now() - 1000 });
    const after = await getJob(body.job_id);
    expect(after.job.status).toBe("cancelled");
    expect(after.hosts.map((h) => h.status)).toEqual(["cancelled", "cancelled"]);
    expect(agent.runs).toHaveLength(0);
    agent.close();
  });
});
