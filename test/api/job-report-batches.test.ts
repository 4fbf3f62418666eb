import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { channelStub, connectAgent, echo, enrollHost, eventually, jobStub } from "./agent-helpers";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

/**
 * A HostChannel hands the reports of one job to its JobRun in batches
 * (`reportMany`, consecutive outbox rows): order within a batch is kept, every
 * report is idempotent by command id, and a malformed batch changes nothing.
 */

interface Detail {
  job: { status: string; succeeded_count: number };
  hosts: { host_id: string; status: string; stdout: string; exit_code: number | null; agent_job_id: string }[];
}

async function createJob(hostIds: string[]): Promise<string> {
  const res = await call("/api/v1/jobs", {
    method: "POST",
    headers: bearer(await adminLogin()),
    json: { kind: "script", script: "echo", args: ["batch"], host_ids: hostIds },
  });
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function detail(id: string): Promise<Detail> {
  return (await (await call(`/api/v1/jobs/${id}`, { headers: bearer(await adminLogin()) })).json()) as Detail;
}

const result = (commandId: string, stdout: string, exit = 0) => ({
  type: "result" as const,
  command_id: commandId,
  exit_code: exit,
  error: null,
  stdout,
  stderr: "",
  truncated: false,
  started_at: Date.now(),
  finished_at: Date.now(),
});

describe("JobRun.reportMany", () => {
  it("applies an ack and the result of a host in one call, in order; the job ends", async () => {
    const host = await enrollHost();
    const jobId = await createJob([host.id]); // Not connected: the command waits in the host's queue.
    const commandId = (await detail(jobId)).hosts[0]?.agent_job_id ?? "";
    const at = Date.now();
    const res = await jobStub(jobId).reportMany([
      { type: "ack", command_id: commandId, host_id: host.id, at },
      { type: "result", command_id: commandId, host_id: host.id, at, result: result(commandId, "batched\n") },
    ]);
    expect(res).toEqual({ applied: 2 });
    const d = await eventually(async () => {
      const x = await detail(jobId);
      return x.job.status === "succeeded" ? x : undefined;
    });
    expect(d.hosts[0]).toMatchObject({ status: "succeeded", stdout: "batched\n", exit_code: 0 });
    // One transition for both: the host ends as the two applied in turn would leave it.
    const progress = await jobStub(jobId).progress();
    expect(progress.hosts[0]).toMatchObject({ status: "succeeded", acked_at: at, completed_at: at });
  });

  it("an ack whose result is not in the same batch leaves the host running until the result comes", async () => {
    const host = await enrollHost();
    const jobId = await createJob([host.id]);
    const commandId = (await detail(jobId)).hosts[0]?.agent_job_id ?? "";
    const at = Date.now();
    const stub = jobStub(jobId);
    expect(await stub.reportMany([{ type: "ack", command_id: commandId, host_id: host.id, at }])).toEqual({
      applied: 1,
    });
    expect((await stub.progress()).hosts[0]).toMatchObject({ status: "running", acked_at: at, completed_at: null });
    // A repeated ack in front of the result changes nothing; the result still ends the host.
    const res = await stub.reportMany([
      { type: "ack", command_id: commandId, host_id: host.id, at: at + 5 },
      { type: "result", command_id: commandId, host_id: host.id, at: at + 10, result: result(commandId, "late\n") },
    ]);
    expect(res).toEqual({ applied: 1 });
    expect((await stub.progress()).hosts[0]).toMatchObject({
      status: "succeeded",
      acked_at: at,
      completed_at: at + 10,
    });
  });

  it("skips what changes nothing: a duplicate result, another host's report, an unknown command", async () => {
    const [h1, h2] = await Promise.all([enrollHost(), enrollHost()]);
    const jobId = await createJob([h1.id, h2.id]);
    const d = await detail(jobId);
    const c1 = d.hosts.find((h) => h.host_id === h1.id)?.agent_job_id ?? "";
    const c2 = d.hosts.find((h) => h.host_id === h2.id)?.agent_job_id ?? "";
    const at = Date.now();
    const res = await jobStub(jobId).reportMany([
      { type: "result", command_id: c1, host_id: h1.id, at, result: result(c1, "first\n") },
      { type: "result", command_id: c1, host_id: h1.id, at, result: result(c1, "second\n", 3) },
      { type: "ack", command_id: c2, host_id: h1.id, at },
      { type: "ack", command_id: crypto.randomUUID(), host_id: h2.id, at },
    ]);
    expect(res).toEqual({ applied: 1 });
    const after = await eventually(async () => {
      const x = await detail(jobId);
      return x.hosts.find((h) => h.host_id === h1.id)?.status === "succeeded" ? x : undefined;
    });
    expect(after.hosts.find((h) => h.host_id === h1.id)).toMatchObject({ stdout: "first\n", exit_code: 0 });
    expect(after.hosts.find((h) => h.host_id === h2.id)?.status).not.toBe("running");
  });

  it("refuses a malformed or empty batch as a whole: nothing is applied", async () => {
    const host = await enrollHost();
    const jobId = await createJob([host.id]);
    const commandId = (await detail(jobId)).hosts[0]?.agent_job_id ?? "";
    // Called inside the object (runInDurableObject), so the refusal is this test's rejection.
    const refused = (batch: unknown) =>
      runInDurableObject(jobStub(jobId), (run) => run.reportMany(batch).then(() => "applied"));
    await expect(refused([])).rejects.toThrow();
    await expect(
      refused([
        { type: "ack", command_id: commandId, host_id: host.id, at: Date.now() },
        { type: "result", command_id: commandId, host_id: host.id, at: Date.now() },
      ]),
    ).rejects.toThrow();
    const hostRow = (await detail(jobId)).hosts[0];
    expect(hostRow?.status).not.toBe("running");
    expect(hostRow?.status).not.toBe("succeeded");
  });
});

describe("a HostChannel's outbox", () => {
  it("delivers an agent's ack and result (one batch or two) and is empty afterwards", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    const jobId = await createJob([host.id]);
    const d = await eventually(async () => {
      const x = await detail(jobId);
      return x.job.status === "succeeded" ? x : undefined;
    });
    expect(d.hosts[0]).toMatchObject({ status: "succeeded", stdout: "batch\n" });
    expect(agent.executed).toHaveLength(1);
    const status = await eventually(async () => {
      const s = await channelStub(host.id).status();
      return s.outbox === 0 ? s : undefined;
    });
    expect(status.commands).toEqual({ done: 1 });
    agent.close();
  });

  it("a report stored by an earlier instance of the channel is delivered by the next one", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo: () => "hang" } });
    const jobId = await createJob([host.id]);
    const run = await agent.waitFor((f) => f.type === "run");
    if (run.type !== "run") throw new Error("no run");
    await eventually(async () => (await channelStub(host.id).status()).commands.acked === 1);
    agent.close();
    // The result as the channel stores it, left undelivered when the instance went away.
    const report = {
      type: "result",
      command_id: run.command_id,
      host_id: host.id,
      at: Date.now(),
      result: result(run.command_id, "from storage\n"),
    };
    await runInDurableObject(channelStub(host.id), async (_channel, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE commands SET state = 'done' WHERE command_id = ?", run.command_id);
      state.storage.sql.exec(
        "INSERT INTO outbox (job_id, payload, next_at) VALUES (?, ?, ?)",
        jobId,
        JSON.stringify(report),
        Date.now(),
      );
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    await evictDurableObject(channelStub(host.id));
    expect(await runDurableObjectAlarm(channelStub(host.id))).toBe(true);
    const d = await eventually(async () => {
      const x = await detail(jobId);
      return x.job.status === "succeeded" ? x : undefined;
    });
    expect(d.hosts[0]).toMatchObject({ status: "succeeded", stdout: "from storage\n" });
    expect((await channelStub(host.id).status()).outbox).toBe(0);
  });
});
