import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { channelStub, connectAgent, echo, enrollHost, eventually, jobStub } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

/**
 * Failure cases of the JobRun / HostChannel pair: resets, duplicates,
 * disconnects, silence, offline hosts. Deadlines are driven with
 * runDurableObjectAlarm after moving them into the past — never with sleeps.
 */

interface Detail {
  job: { status: string; reqid: string };
  hosts: { host_id: string; status: string; stdout: string; error_message: string | null; agent_job_id: string }[];
}

async function createJob(body: Record<string, unknown>): Promise<{ id: string; reqid: string }> {
  const res = await call("/api/v1/jobs", { method: "POST", headers: bearer(await adminLogin()), json: body });
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; reqid: string };
}

async function detail(id: string): Promise<Detail> {
  return (await (await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) })).json()) as Detail;
}

const settled = (id: string) =>
  eventually(async () => {
    const d = await detail(id);
    return ["succeeded", "failed", "cancelled"].includes(d.job.status) ? d : undefined;
  });

const hostStatus = async (id: string) => (await detail(id)).hosts[0]?.status;

describe("a JobRun reset mid-job", () => {
  it("loses nothing and runs no host twice", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const job = await createJob({ kind: "script", script: "slow", host_ids: [host.id] });
    await eventually(async () => (await hostStatus(job.id)) === "running");
    await evictDurableObject(jobStub(job.id));
    const run = agent.runs[0];
    if (!run) throw new Error("no run");
    agent.finish(run.command_id, { exit_code: 0, stdout: "after the reset\n" });
    const d = await settled(job.id);
    expect(d.job.status).toBe("succeeded");
    expect(d.hosts[0]?.stdout).toBe("after the reset\n");
    expect(agent.executed).toHaveLength(1);
  });

  it("a command whose enqueue answer was lost is handed over again after the reset, and run once", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const job = await createJob({ kind: "script", script: "slow", host_ids: [host.id] });
    await eventually(async () => (await hostStatus(job.id)) === "running");
    // As if the JobRun was reset between "dispatched" and HostChannel.enqueue's answer.
    const stub = jobStub(job.id);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE hosts SET status = 'dispatched', delivery = NULL, acked_at = NULL");
    });
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    // The agent got the same command again and answered `ack duplicate`; it did not run it twice.
    await eventually(async () => agent.runs.length === 2);
    expect(agent.runs[1]?.command_id).toBe(agent.runs[0]?.command_id);
    expect(agent.executed).toHaveLength(1);
    agent.finish(agent.runs[0]?.command_id ?? "", { exit_code: 0, stdout: "once\n" });
    const d = await settled(job.id);
    expect(d.hosts[0]).toMatchObject({ status: "succeeded", stdout: "once\n" });
    agent.close();
  });

  it("a replayed start after the JobRun's state was dropped never runs the hosts again", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const job = await createJob({ kind: "script", script: "echo", host_ids: [host.id] });
    const d = await settled(job.id);
    const stub = jobStub(job.id);
    const plan = {
      job_id: job.id,
      reqid: job.reqid,
      script: "echo",
      args: [],
      mode: "async" as const,
      timeout_seconds: 60,
      queue_ttl_seconds: 3600,
      require_online: false,
      max_parallel: 64,
      error_threshold: null,
      hosts: [{ host_id: host.id, host_name: host.name, command_id: d.hosts[0]?.agent_job_id ?? "" }],
    };
    // A day after the job ended its JobRun drops its state (the alarm's retention sweep).
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE job SET completed_at = 1");
    });
    await runDurableObjectAlarm(stub);
    expect((await stub.progress()).found).toBe(false);
    const p = await stub.start(plan);
    expect(p.found).toBe(false);
    expect(agent.runs).toHaveLength(1);
    // A late report finds nothing to change.
    const late = await stub.report({
      type: "ack",
      command_id: plan.hosts[0]?.command_id ?? "",
      host_id: host.id,
      at: Date.now(),
    });
    expect(late).toEqual({ applied: false });
    agent.close();
  });
});

describe("duplicates", () => {
  it("a duplicate delivery is answered `ack duplicate` + the stored result; the job counts it once", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const job = await createJob({ kind: "script", script: "echo", args: ["x"], host_ids: [host.id] });
    await settled(job.id);
    const run = agent.runs[0];
    if (!run) throw new Error("no run");
    const outcome = await channelStub(host.id).enqueue({
      command_id: run.command_id,
      job_id: job.id,
      host_id: host.id,
      reqid: run.reqid,
      script: run.script,
      args: run.args,
      timeout_seconds: run.timeout_seconds,
      expires_at: run.expires_at,
    });
    expect(outcome).toBe("duplicate");
    expect(agent.executed).toHaveLength(1);
  });

  it("a duplicate result report is ignored", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const job = await createJob({ kind: "script", script: "echo", host_ids: [host.id] });
    const d = await settled(job.id);
    const report = {
      type: "result" as const,
      command_id: d.hosts[0]?.agent_job_id ?? "",
      host_id: host.id,
      at: Date.now(),
      result: {
        type: "result" as const,
        command_id: d.hosts[0]?.agent_job_id ?? "",
        exit_code: 9,
        error: null,
        stdout: "forged",
        stderr: "",
        truncated: false,
        started_at: null,
        finished_at: Date.now(),
      },
    };
    expect(await jobStub(job.id).report(report)).toEqual({ applied: false });
    expect((await detail(job.id)).hosts[0]?.stdout).toBe("");
    agent.close();
  });

  it("a report for another host's command is ignored", async () => {
    const [h1, h2] = await Promise.all([enrollHost(), enrollHost()]);
    const job = await createJob({ kind: "script", script: "x", host_ids: [h1.id] });
    const d = await detail(job.id);
    const res = await jobStub(job.id).report({
      type: "ack",
      command_id: d.hosts[0]?.agent_job_id ?? "",
      host_id: h2.id,
      at: Date.now(),
    });
    expect(res).toEqual({ applied: false });
  });
});

describe("agents that disconnect or go silent", () => {
  it("an agent that disconnects mid-run gets the command again on reconnect and reports its result", async () => {
    const host = await enrollHost();
    const first = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const job = await createJob({ kind: "script", script: "slow", host_ids: [host.id] });
    await eventually(async () => (await hostStatus(job.id)) === "running");
    const cmd = first.runs[0]?.command_id ?? "";
    first.close();
    await eventually(async () => !(await channelStub(host.id).status()).online);
    // The real agent keeps finished results and re-sends them after reconnecting (hello.completed).
    const second = await connectAgent(host, { scripts: { slow: () => "hang" }, hello: false });
    second.hello([cmd]);
    const redelivered = await second.waitFor((f) => f.type === "run");
    expect(redelivered.type === "run" && redelivered.command_id).toBe(cmd);
    second.send({ type: "ack", command_id: cmd, duplicate: true });
    second.send({
      type: "result",
      command_id: cmd,
      exit_code: 0,
      error: null,
      stdout: "finished while away\n",
      stderr: "",
      truncated: false,
      started_at: Date.now() - 1000,
      finished_at: Date.now(),
    });
    const d = await settled(job.id);
    expect(d.hosts[0]).toMatchObject({ status: "succeeded", stdout: "finished while away\n" });
    second.close();
  });

  it("a command cancelled while its agent was away is cancelled again on reconnect, never re-delivered", async () => {
    const host = await enrollHost();
    const first = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const job = await createJob({ kind: "script", script: "slow", host_ids: [host.id] });
    await eventually(async () => (await hostStatus(job.id)) === "running");
    const cmd = first.runs[0]?.command_id ?? "";
    first.close();
    await eventually(async () => !(await channelStub(host.id).status()).online);
    const cancelled = await call(`/api/v1/jobs/${job.id}/cancel`, {
      method: "POST",
      headers: bearer(await adminLogin()),
    });
    expect(cancelled.status).toBe(200);
    await eventually(async () => (await channelStub(host.id).status()).commands.cancelled === 1);
    const second = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const cancel = await second.waitFor((f) => f.type === "cancel");
    expect(cancel.type === "cancel" && cancel.command_id).toBe(cmd);
    expect(second.frames.some((f) => f.type === "run")).toBe(false);
    second.close();
  });

  it("an agent that never answers: the host times out at its deadline (alarm) and is told to cancel", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { silent: () => "hang" } });
    const job = await createJob({ kind: "script", script: "silent", host_ids: [host.id], timeout_seconds: 5 });
    await eventually(async () => (await hostStatus(job.id)) === "running");
    const stub = jobStub(job.id);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE hosts SET deadline = 1 WHERE status = 'running'");
    });
    await runDurableObjectAlarm(stub);
    const d = await settled(job.id);
    expect(d.job.status).toBe("failed");
    expect(d.hosts[0]).toMatchObject({ status: "timed_out", error_message: "timed_out" });
    await agent.waitFor((f) => f.type === "cancel");
    agent.close();
  });

  it("a host that disconnects mid-run and never returns times out too", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const job = await createJob({ kind: "script", script: "slow", host_ids: [host.id] });
    await eventually(async () => (await hostStatus(job.id)) === "running");
    agent.close();
    const stub = jobStub(job.id);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE hosts SET deadline = 1");
    });
    await runDurableObjectAlarm(stub);
    expect((await settled(job.id)).hosts[0]?.status).toBe("timed_out");
  });
});

describe("hosts that are offline when the job starts", () => {
  it("the command waits in the host's queue and runs when the host connects", async () => {
    const host = await enrollHost();
    const job = await createJob({ kind: "script", script: "echo", args: ["queued"], host_ids: [host.id] });
    await eventually(async () => (await channelStub(host.id).status()).commands.queued === 1);
    expect(await hostStatus(job.id)).toBe("dispatched");
    const agent = await connectAgent(host, { scripts: { echo } });
    const d = await settled(job.id);
    expect(d.hosts[0]).toMatchObject({ status: "succeeded", stdout: "queued\n" });
    agent.close();
  });

  it("a queued command that expires before the host returns → offline_expired (HostChannel alarm)", async () => {
    const host = await enrollHost();
    const job = await createJob({ kind: "script", script: "echo", host_ids: [host.id], queue_ttl_seconds: 60 });
    const channel = channelStub(host.id);
    await eventually(async () => (await channel.status()).commands.queued === 1);
    await runInDurableObject(channel, (_i, state) => {
      state.storage.sql.exec("UPDATE commands SET expires_at = 1 WHERE state = 'queued'");
    });
    await runDurableObjectAlarm(channel);
    const d = await settled(job.id);
    expect(d.job.status).toBe("failed");
    expect(d.hosts[0]).toMatchObject({ status: "offline_expired", error_message: "host offline" });
    // When the host connects later, the expired command is not delivered.
    const agent = await connectAgent(host, { scripts: { echo } });
    expect(agent.runs).toHaveLength(0);
    agent.close();
  });

  it("a job whose start was lost is started when it is next read", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const id = crypto.randomUUID();
    const cmd = crypto.randomUUID();
    const old = Date.now() - 60_000;
    const options = JSON.stringify({
      source: "native",
      timeout_seconds: 60,
      queue_ttl_seconds: 3600,
      require_online: false,
      max_parallel: 64,
      error_threshold: null,
      submitter: { username: "t", source_ip: "" },
    });
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO jobs (id, reqid, kind, script, args, mode, status, options, host_count, created_at) VALUES (?, ?, 'script', 'echo', '[\"late\"]', 'async', 'queued', ?, 1, ?)",
      ).bind(id, id.replace(/-/g, "").slice(0, 16), options, old),
      env.DB.prepare(
        "INSERT INTO job_hosts (id, job_id, host_id, host_name, status, command_id) VALUES (?, ?, ?, ?, 'pending', ?)",
      ).bind(cmd, id, host.id, host.name, cmd),
    ]);
    await detail(id);
    const d = await settled(id);
    expect(d.hosts[0]).toMatchObject({ status: "succeeded", stdout: "late\n" });
    agent.close();
  });
});
