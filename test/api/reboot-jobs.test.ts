import { env } from "cloudflare:workers";
import {
  ALLOW_REBOOT_ARG,
  PATCH_APPLY_COMMAND,
  REBOOT_COMMAND,
  type RebootReport,
  type ServerMessage,
} from "@fleetgate/contract";
import { describe, expect, it } from "vitest";
import { connectAgent, type EnrolledHost, enrollHost, eventually, type SimAgent } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";
import { applyReport, zlibSecurityInventory } from "./patch-fixtures";

/**
 * Reboots with simulated agents (docs/patching.md "Reboots"): a `reboot` job's host is stored as
 * `rebooting` before the agent may reboot, stays so while the agent is away or back in the same
 * boot, and succeeds only with the agent's report from a new boot id; the host detail shows the
 * boot. A patch job reboots only when it allows it.
 */
type Run = Extract<ServerMessage, { type: "run" }>;

const BOOT_A = {
  boot_id: "aaaaaaaa-0000-4000-8000-000000000001",
  kernel: "6.1.0-18-amd64",
  booted_at: 1_700_000_000_000,
};
const BOOT_B = {
  boot_id: "bbbbbbbb-0000-4000-8000-000000000002",
  kernel: "6.1.0-21-amd64",
  booted_at: 1_700_000_600_000,
};

async function post(path: string, json?: unknown) {
  return call(path, { method: "POST", headers: bearer(await adminLogin()), ...(json === undefined ? {} : { json }) });
}
async function getJob(id: string) {
  const res = await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) });
  return (await res.json()) as {
    job: Record<string, unknown>;
    hosts: { status: string; error_message: string | null; output: string | null; agent_job_id: string }[];
  };
}
const hostStatus = (jobId: string, status: string) =>
  eventually(async () => ((await getJob(jobId)).hosts[0]?.status === status ? true : undefined));
const jobStatus = (jobId: string, status: string) =>
  eventually(async () => ((await getJob(jobId)).job.status === status ? true : undefined));

/** The report an agent sends after its reboot (`boot`: the boot it came back in). */
const rebootResult = (boot: typeof BOOT_A) => {
  const report: RebootReport = {
    ok: true,
    error: null,
    reboot: {
      rebooted: boot.boot_id !== BOOT_A.boot_id,
      boot_id_before: BOOT_A.boot_id,
      kernel_before: BOOT_A.kernel,
      boot_id: boot.boot_id,
      kernel: boot.kernel,
      booted_at: boot.booted_at,
      requested_at: Date.now(),
    },
  };
  return { exit_code: 0, stdout: JSON.stringify(report), stderr: "" };
};

/** A host whose agent (boot A) leaves the reboot command running, as a real one does until the host goes down. */
async function rebootHost(): Promise<{ host: EnrolledHost; agent: SimAgent }> {
  const host = await enrollHost();
  const agent = await connectAgent(host, { scripts: { [REBOOT_COMMAND]: () => "hang" } as never, boot: BOOT_A });
  return { host, agent };
}

/** Starts a reboot job on `hostId` and has its agent announce the reboot; returns the job and its command. */
async function startReboot(hostId: string, agent: SimAgent): Promise<{ jobId: string; run: Run }> {
  const res = await post("/api/v1/jobs", { kind: "reboot", host_ids: [hostId], notes: "kernel update" });
  expect(res.status).toBe(200);
  const { id: jobId } = (await res.json()) as { id: string };
  const run = await agent.waitFor((f): f is Run => f.type === "run" && f.script === REBOOT_COMMAND);
  expect(run.args).toEqual([jobId]);
  agent.send({ type: "rebooting", command_id: run.command_id, boot_id: BOOT_A.boot_id, kernel: BOOT_A.kernel });
  const confirmed = await agent.waitFor((f) => f.type === "reboot_confirmed" && f.command_id === run.command_id);
  expect(confirmed).toMatchObject({ confirmed: true });
  return { jobId, run };
}

describe("reboot jobs", () => {
  it("host rebooting (stored before the agent reboots) → agent back with a new boot id → succeeded; host detail shows the new boot; audited", async () => {
    const { host, agent } = await rebootHost();
    const detailBefore = await (await call(`/api/v1/hosts/${host.id}`, { headers: bearer(await adminLogin()) })).json();
    expect(detailBefore).toMatchObject({ boot: { boot_id: BOOT_A.boot_id, kernel: BOOT_A.kernel } });

    const { jobId, run } = await startReboot(host.id, agent);
    await hostStatus(jobId, "rebooting");
    const events = await env.DB.prepare("SELECT status FROM job_hosts WHERE id = ?").bind(run.command_id).first();
    expect(events).toMatchObject({ status: "rebooting" });

    // The host goes down; it is still rebooting while away.
    agent.close();
    await new Promise((r) => setTimeout(r, 100));
    expect((await getJob(jobId)).hosts[0]?.status).toBe("rebooting");

    // Back in boot B: the redelivered command is answered with the stored result.
    const back = await connectAgent(host, {
      scripts: { [REBOOT_COMMAND]: () => rebootResult(BOOT_B) } as never,
      boot: BOOT_B,
    });
    await jobStatus(jobId, "succeeded");
    const job = await getJob(jobId);
    expect(job.job).toMatchObject({ kind: "reboot", status: "succeeded" });
    expect(job.hosts[0]).toMatchObject({ status: "succeeded" });
    expect(JSON.parse(job.hosts[0]?.output ?? "{}")).toMatchObject({
      reboot: { boot_id: BOOT_B.boot_id, kernel: BOOT_B.kernel },
    });
    const detail = await (await call(`/api/v1/hosts/${host.id}`, { headers: bearer(await adminLogin()) })).json();
    expect(detail).toMatchObject({ boot: { boot_id: BOOT_B.boot_id, kernel: BOOT_B.kernel } });

    const audit = await env.DB.prepare("SELECT action, outcome, detail FROM audit_log WHERE target_id = ? ORDER BY seq")
      .bind(jobId)
      .all<{ action: string; outcome: string; detail: string }>();
    expect(audit.results.map((a) => a.action)).toEqual(["job.create", "patch.reboot_performed"]);
    expect(JSON.parse(audit.results[0]?.detail ?? "{}")).toMatchObject({ kind: "reboot", host_count: 1 });
    expect(audit.results[1]?.outcome).toBe("success");
    back.close();
  });

  it("back in the same boot: not completed while it only reconnects; a result from the same boot id fails the host", async () => {
    const { host, agent } = await rebootHost();
    const { jobId } = await startReboot(host.id, agent);
    await hostStatus(jobId, "rebooting");
    agent.close();
    // Reconnects in the same boot (a network blip): no result, the host stays rebooting.
    const same = await connectAgent(host, { scripts: { [REBOOT_COMMAND]: () => "hang" } as never, boot: BOOT_A });
    await same.waitFor((f) => f.type === "run" && f.script === REBOOT_COMMAND);
    await new Promise((r) => setTimeout(r, 200));
    expect((await getJob(jobId)).hosts[0]?.status).toBe("rebooting");
    same.close();
    // An agent whose result says it is in the boot it rebooted from: failed, with the reason.
    const sameResult = await connectAgent(host, {
      scripts: { [REBOOT_COMMAND]: () => rebootResult(BOOT_A) } as never,
      boot: BOOT_A,
    });
    await jobStatus(jobId, "failed");
    expect((await getJob(jobId)).hosts[0]).toMatchObject({
      status: "failed",
      error_message: "the host did not reboot (the boot id is unchanged)",
    });
    const audit = await env.DB.prepare("SELECT outcome FROM audit_log WHERE target_id = ? AND action = ?")
      .bind(jobId, "patch.reboot_performed")
      .first();
    expect(audit).toMatchObject({ outcome: "failure" });
    sameResult.close();
  });

  it("allow_reboot: the apply command carries --allow-reboot only when allowed; without it the server refuses the reboot", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { [PATCH_APPLY_COMMAND]: () => "hang" } as never, boot: BOOT_A });
    agent.send({
      type: "inventory",
      inventory: { ...zlibSecurityInventory(), reboot_required: true, reboot_reasons: ["kernel"] },
    });
    await agent.waitFor((f) => f.type === "inventory_ack");

    const denied = await post("/api/v1/jobs", { host_ids: [host.id], packages: [], immediate: true });
    const { id: deniedId } = (await denied.json()) as { id: string };
    const run = await agent.waitFor((f): f is Run => f.type === "run" && f.args[0] === deniedId);
    expect(run.args).not.toContain(ALLOW_REBOOT_ARG);
    agent.send({ type: "rebooting", command_id: run.command_id, boot_id: BOOT_A.boot_id, kernel: BOOT_A.kernel });
    const refused = await agent.waitFor((f) => f.type === "reboot_confirmed" && f.command_id === run.command_id);
    expect(refused).toMatchObject({ confirmed: false });
    expect((await getJob(deniedId)).hosts[0]?.status).not.toBe("rebooting");
    agent.finish(run.command_id, { exit_code: 0, stdout: applyReport, stderr: "" });
    await jobStatus(deniedId, "succeeded");

    const allowed = await post("/api/v1/jobs", {
      host_ids: [host.id],
      packages: [],
      immediate: true,
      allow_reboot: true,
    });
    const { id: allowedId } = (await allowed.json()) as { id: string };
    const run2 = await agent.waitFor((f): f is Run => f.type === "run" && f.args[0] === allowedId);
    expect(run2.args.slice(0, 2)).toEqual([allowedId, ALLOW_REBOOT_ARG]);
    agent.send({ type: "rebooting", command_id: run2.command_id, boot_id: BOOT_A.boot_id, kernel: BOOT_A.kernel });
    const ok = await agent.waitFor((f) => f.type === "reboot_confirmed" && f.command_id === run2.command_id);
    expect(ok).toMatchObject({ confirmed: true });
    await hostStatus(allowedId, "rebooting");
    agent.finish(run2.command_id, {
      exit_code: 0,
      stdout: JSON.stringify({ ...JSON.parse(applyReport), reboot: JSON.parse(rebootResult(BOOT_B).stdout).reboot }),
      stderr: "",
    });
    await jobStatus(allowedId, "succeeded");
    agent.close();
  });

  it("refuses a reboot job for hosts that do not require one when only_if_required, and bad bodies", async () => {
    const { host, agent } = await rebootHost();
    const none = await post("/api/v1/jobs", { kind: "reboot", host_ids: [host.id], only_if_required: true });
    expect(none.status).toBe(422);
    const bad = await post("/api/v1/jobs", { kind: "reboot", host_ids: [host.id], packages: ["x"] });
    expect(bad.status).toBe(400);
    const empty = await post("/api/v1/jobs", { kind: "reboot", host_ids: [] });
    expect(empty.status).toBe(400);
    agent.close();
  });
});
