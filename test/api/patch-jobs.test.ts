import { env } from "cloudflare:workers";
import {
  decodePlanArgs,
  type Inventory,
  PATCH_APPLY_COMMAND,
  PATCH_ROLLBACK_COMMAND,
  type ServerMessage,
} from "@fleetgate/contract";
import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually, type SimAgent } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { applyReport, debianOs } from "./patch-fixtures";

/**
 * Patch jobs on the native face with a simulated agent: the reference body creates a
 * `patch_apply` job whose per-host plan (exact versions) is fixed from the reported updates and
 * reaches the agent as a built-in command; cancel rules; rollback jobs.
 */
type Run = Extract<ServerMessage, { type: "run" }>;

const inventory = (): Inventory => ({
  os: debianOs,
  packages: [
    { name: "apt", version: "2.6.1", arch: "amd64", source: "apt", source_version: "2.6.1", status: "ii" },
    {
      name: "zlib1g",
      version: "1:1.2.13-1",
      arch: "amd64",
      source: "zlib",
      source_version: "1:1.2.13-1",
      status: "ii",
    },
  ],
  updates: [
    {
      name: "zlib1g",
      arch: "amd64",
      current_version: "1:1.2.13-1",
      candidate_version: "1:1.2.13-1+deb12u1",
      origins: ["Debian-Security:12/stable-security"],
      security: true,
      cve_ids: ["CVE-2023-45853"],
    },
    {
      name: "apt",
      arch: "amd64",
      current_version: "2.6.1",
      candidate_version: "2.6.2",
      origins: ["Debian:12/stable"],
      security: false,
      cve_ids: [],
    },
    {
      name: "newdep",
      arch: "amd64",
      current_version: null,
      candidate_version: "1.0",
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

/** A host whose agent reported the inventory above and answers patch commands (or leaves them hanging). */
async function patchHost(hang = false): Promise<{ id: string; agent: SimAgent }> {
  const host = await enrollHost();
  const answer = (run: Run) =>
    hang ? "hang" : { exit_code: 0, stdout: run.script === PATCH_APPLY_COMMAND ? applyReport : "{}", stderr: "" };
  const agent = await connectAgent(host, {
    scripts: { [PATCH_APPLY_COMMAND]: answer, [PATCH_ROLLBACK_COMMAND]: answer } as never,
  });
  agent.send({ type: "inventory", inventory: inventory() });
  await agent.waitFor((f) => f.type === "inventory_ack");
  return { id: host.id, agent };
}

async function post(path: string, json?: unknown) {
  return call(path, { method: "POST", headers: bearer(await adminLogin()), ...(json === undefined ? {} : { json }) });
}
async function getJob(id: string) {
  const res = await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) });
  return (await res.json()) as {
    job: Record<string, unknown>;
    hosts: { status: string; plan: unknown; host_display_name: string; agent_job_id: string }[];
  };
}
const waitStatus = (id: string, status: string) =>
  eventually(async () => ((await getJob(id)).job.status === status ? true : undefined));

describe("patch jobs", () => {
  it("the reference body creates a patch_apply job; the plan (exact versions) is fixed, shown and sent to the agent", async () => {
    const { id: hostId, agent } = await patchHost();
    const res = await post("/api/v1/jobs", { host_ids: [hostId], packages: [], immediate: true, notes: "monthly" });
    expect(res.status).toBe(200);
    const created = (await res.json()) as { id: string; message: string };
    expect(created.message).toBe("Job created");
    const run = await agent.waitFor((f): f is Run => f.type === "run");
    expect(run.script).toBe(PATCH_APPLY_COMMAND);
    const plan = [
      { name: "apt", arch: "amd64", from_version: "2.6.1", to_version: "2.6.2" },
      { name: "zlib1g", arch: "amd64", from_version: "1:1.2.13-1", to_version: "1:1.2.13-1+deb12u1" },
    ];
    expect(decodePlanArgs(run.args)).toEqual({ jobId: created.id, plan, gate: false, allowReboot: false });
    await waitStatus(created.id, "succeeded");
    const detail = await getJob(created.id);
    expect(detail.job).toMatchObject({
      kind: "patch_apply",
      immediate: true,
      parent_job_id: null,
      maintenance_window_id: null,
      notes: "monthly",
      patch_selection: { packages: [], security_only: false, allow_reboot: false },
    });
    expect(detail.hosts[0]?.plan).toEqual(plan);
    expect(detail.hosts[0]?.agent_job_id).toBe(run.command_id);
    const noEvent = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE target_id = ? AND action LIKE 'patch.%'",
    )
      .bind(created.id)
      .first();
    expect(noEvent).toEqual({ n: 0 });
    // Finished: the reference's cancel refusal.
    const cancel = await post(`/api/v1/jobs/${created.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(await nativeError(cancel)).toMatchObject({
      code: "invalid_state",
      message: "Cannot cancel a job in 'succeeded' state; only queued or pending jobs may be cancelled",
    });
    agent.close();
  });

  it("security_only and packages narrow the plan; nothing to do is 422 no_hosts; bad bodies are 400", async () => {
    const { id: hostId, agent } = await patchHost();
    const sec = await post("/api/v1/jobs", { host_ids: [hostId], packages: [], immediate: true, security_only: true });
    expect(sec.status).toBe(200);
    const secJob = (await sec.json()) as { id: string };
    expect((await getJob(secJob.id)).hosts[0]?.plan).toEqual([
      { name: "zlib1g", arch: "amd64", from_version: "1:1.2.13-1", to_version: "1:1.2.13-1+deb12u1" },
    ]);
    const none = await post("/api/v1/jobs", { host_ids: [hostId], packages: ["not-there"], immediate: true });
    expect(none.status).toBe(422);
    expect((await nativeError(none)).code).toBe("no_hosts");
    const empty = await post("/api/v1/jobs", { host_ids: [], packages: [], immediate: true });
    expect(empty.status).toBe(400);
    const unknownKey = await post("/api/v1/jobs", { host_ids: [hostId], packages: [], immediate: true, rings: [] });
    expect(unknownKey.status).toBe(400);
    const scheduled = await post("/api/v1/jobs", { host_ids: [hostId], packages: [], immediate: false });
    expect(scheduled.status).toBe(400);
    const unknownHost = await post("/api/v1/jobs", { host_ids: [crypto.randomUUID()], packages: [], immediate: true });
    expect(unknownHost.status).toBe(400);
    const count = await env.DB.prepare(
      "SELECT count(*) AS n FROM jobs j JOIN job_hosts h ON h.job_id = j.id WHERE h.host_id = ?",
    )
      .bind(hostId)
      .first();
    expect(count).toEqual({ n: 1 });
    agent.close();
  });

  it("a running patch job cannot be cancelled (409); a rollback job restores the parent's hosts; rollback of a rollback is 422", async () => {
    const { id: hostId, agent } = await patchHost(true);
    const res = await post("/api/v1/jobs", { host_ids: [hostId], packages: ["apt"], immediate: true });
    const job = (await res.json()) as { id: string };
    const run = await agent.waitFor((f): f is Run => f.type === "run");
    await waitStatus(job.id, "running");
    const cancel = await post(`/api/v1/jobs/${job.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect((await nativeError(cancel)).message).toBe(
      "Cannot cancel a job in 'running' state; only queued or pending jobs may be cancelled",
    );
    // Not finished yet: no rollback.
    expect((await post(`/api/v1/jobs/${job.id}/rollback`)).status).toBe(409);
    agent.finish(run.command_id, { exit_code: 1, stdout: applyReport, stderr: "" });
    await waitStatus(job.id, "failed");
    const events = async (id: string) =>
      (
        await env.DB.prepare(
          "SELECT action, outcome, detail FROM audit_log WHERE target_id = ? AND action LIKE 'patch.%'",
        )
          .bind(id)
          .all<{ action: string; outcome: string; detail: string }>()
      ).results;
    const failedEvents = await eventually(async () => ((await events(job.id)).length > 0 ? events(job.id) : undefined));
    expect(failedEvents).toMatchObject([{ action: "patch.job_failed", outcome: "failure" }]);

    const rb = await post(`/api/v1/jobs/${job.id}/rollback`);
    expect(rb.status).toBe(200);
    const rollback = (await rb.json()) as { id: string; parent_job_id: string; message: string };
    expect(rollback).toEqual({ id: rollback.id, parent_job_id: job.id, message: "Rollback job created" });
    const rbRun = await agent.waitFor((f): f is Run => f.type === "run" && f.script === PATCH_ROLLBACK_COMMAND);
    expect(rbRun.args).toEqual([job.id]);
    const detail = await getJob(rollback.id);
    expect(detail.job).toMatchObject({ kind: "rollback", parent_job_id: job.id, notes: `Rollback of job ${job.id}` });
    const audit = await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'job.create' AND target_id = ?")
      .bind(rollback.id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({ kind: "rollback", parent_job_id: job.id });
    agent.finish(rbRun.command_id, { exit_code: 0, stdout: "{}", stderr: "" });
    await waitStatus(rollback.id, "succeeded");
    const performed = await eventually(async () =>
      (await events(rollback.id)).length > 0 ? events(rollback.id) : undefined,
    );
    expect(performed).toHaveLength(1);
    expect(performed[0]).toMatchObject({ action: "patch.rollback_performed", outcome: "success" });
    expect(JSON.parse(performed[0]?.detail ?? "{}")).toMatchObject({ kind: "rollback", parent_job_id: job.id });
    expect(await events(job.id)).toHaveLength(1);
    const again = await post(`/api/v1/jobs/${rollback.id}/rollback`);
    expect(again.status).toBe(422);
    expect((await nativeError(again)).code).toBe("no_hosts");
    expect((await post(`/api/v1/jobs/${crypto.randomUUID()}/rollback`)).status).toBe(404);
    agent.close();
  });
});
