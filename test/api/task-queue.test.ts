import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { handleQueue, runSweeps, type TasksEnv } from "@fleetgate/tasks";
import { beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../../workers/api/src/index";
import { adminLogin, userWithRole } from "./auth-helpers";
import { objectKeys, seedManyHosts, seedTask, taskRow } from "./task-helpers";

const DLQ = "fleetgate-tasks-dlq";
let adminId = "";
beforeAll(async () => {
  adminId = (await adminLogin()).userId;
});

const exportParams = (filters: Record<string, unknown>, format: "csv" | "xlsx" = "csv") => ({
  request: { kind: "hosts", format, filters },
  filename: `inventory_export_2026-11-22_10-00-00.${format}`,
});

const exportTask = (filters: Record<string, unknown>, extra: Partial<Parameters<typeof seedTask>[0]> = {}) =>
  seedTask({ status: "PENDING", createdBy: adminId, params: exportParams(filters), ...extra });

let seq = 0;
const message = (body: unknown, attempts = 1) => ({ id: `m-${++seq}`, timestamp: new Date(), attempts, body });

/** Runs the consumer on one batch and returns the ack/retry outcome. */
async function deliver(queue: string, bodies: { body: unknown; attempts?: number }[], e: TasksEnv = env) {
  const batch = createMessageBatch(
    queue,
    bodies.map((b) => message(b.body, b.attempts)),
  );
  const ctx = createExecutionContext();
  // getQueueResult keeps which messages were retried; the delays are read from the calls themselves.
  const delays = batch.messages.map((m) => vi.spyOn(m, "retry"));
  await handleQueue(batch, e);
  const result = await getQueueResult(batch, ctx);
  const retryDelays = delays.flatMap((spy) => spy.mock.calls.map((c) => c[0]?.delaySeconds));
  return { batch, result, retryDelays };
}
const deliverTask = (id: string, attempts = 1, e: TasksEnv = env) =>
  deliver("fleetgate-tasks", [{ body: { v: 1, task_id: id }, attempts }], e);

/** An R2 bucket whose chosen operation throws the first `times` times (a consumer crashing mid-export). */
function flakyBucket(fail: "put" | "uploadPart" | "complete", times = 1) {
  let left = times;
  const calls = { put: 0, uploadPart: 0, complete: 0, abort: 0 };
  const maybeFail = (op: typeof fail) => {
    calls[op]++;
    if (op === fail && left > 0) {
      left--;
      throw new Error(`injected ${op} failure`);
    }
  };
  const bucket = new Proxy(env.EXPORTS, {
    get(target, prop) {
      if (prop === "put")
        return (...a: Parameters<R2Bucket["put"]>) => {
          maybeFail("put");
          return target.put(...a);
        };
      if (prop === "createMultipartUpload")
        return async (...a: Parameters<R2Bucket["createMultipartUpload"]>) => {
          const up = await target.createMultipartUpload(...a);
          return {
            key: up.key,
            uploadId: up.uploadId,
            uploadPart: async (n: number, v: Uint8Array) => {
              maybeFail("uploadPart");
              return up.uploadPart(n, v);
            },
            complete: async (parts: R2UploadedPart[]) => {
              maybeFail("complete");
              return up.complete(parts);
            },
            abort: async () => {
              calls.abort++;
              return up.abort();
            },
          };
        };
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { bucket, calls };
}

/** A stand-in for the TASKS_DLQ producer binding that records what was sent. */
function recordingQueue() {
  const sent: unknown[] = [];
  const queue = {
    send: async (body: unknown) => {
      sent.push(body);
    },
    sendBatch: async (msgs: Iterable<{ body: unknown }>) => {
      for (const m of msgs) sent.push(m.body);
    },
  } as unknown as Queue;
  return { queue, sent };
}

describe("queue consumer: failures are retried, never duplicated, never lost", () => {
  it("fails on first delivery → retried with backoff, task back to PENDING; second delivery → one SUCCESS, one file", async () => {
    const tag = `q1-${crypto.randomUUID().slice(0, 6)}`;
    await seedManyHosts(20, tag);
    const id = await exportTask({ search: tag });
    const flaky = flakyBucket("put");
    const first = await deliverTask(id, 1, { ...env, EXPORTS: flaky.bucket });
    expect(first.result.explicitAcks).toEqual([]);
    expect(first.result.retryMessages).toEqual([{ msgId: first.batch.messages[0]?.id }]);
    expect(first.retryDelays).toEqual([10]);
    const afterFirst = await taskRow(id);
    expect(afterFirst?.status).toBe("PENDING");
    expect(afterFirst?.error).toBe("attempt 1 failed; will retry");
    expect(await objectKeys(`exports/${id}/`)).toEqual([]);

    const second = await deliverTask(id, 2, { ...env, EXPORTS: flaky.bucket });
    expect(second.result.explicitAcks).toHaveLength(1);
    const done = await taskRow(id);
    expect(done?.status).toBe("SUCCESS");
    expect(done?.attempts).toBe(2);
    expect(done?.error).toBeNull();
    expect(await objectKeys(`exports/${id}/`)).toEqual([`exports/${id}/inventory_export_2026-11-22_10-00-00.csv`]);
    const text = await (await env.EXPORTS.get(done?.file_key ?? ""))?.text();
    expect(text?.split("\r\n").length).toBe(22);
  });

  it("backoff grows per attempt and is capped", async () => {
    const { backoffSeconds } = await import("@fleetgate/tasks");
    expect([1, 2, 3, 4, 10].map(backoffSeconds)).toEqual([10, 20, 40, 80, 300]);
  });

  it("a crash halfway through a multipart upload leaves no object; the retry writes exactly one", async () => {
    const tag = `mp-${crypto.randomUUID().slice(0, 6)}`;
    await seedManyHosts(40_000, tag);
    const id = await exportTask({ search: tag });
    const flaky = flakyBucket("complete");
    const first = await deliverTask(id, 1, { ...env, EXPORTS: flaky.bucket });
    expect(first.result.retryMessages).toHaveLength(1);
    expect(flaky.calls.uploadPart).toBeGreaterThanOrEqual(2);
    expect(flaky.calls.abort).toBe(1);
    expect(await objectKeys(`exports/${id}/`)).toEqual([]);
    expect((await taskRow(id))?.status).toBe("PENDING");

    await deliverTask(id, 2, { ...env, EXPORTS: flaky.bucket });
    const done = await taskRow(id);
    expect(done?.status).toBe("SUCCESS");
    expect(await objectKeys(`exports/${id}/`)).toHaveLength(1);
    const object = await env.EXPORTS.get(done?.file_key ?? "");
    expect(object?.size).toBeGreaterThan(5 * 1024 * 1024);
    const text = (await object?.text()) ?? "";
    expect(text.split("\r\n").length - 2).toBe(40_000);
  });

  it("a duplicated delivery in one batch runs the task once", async () => {
    const tag = `dup-${crypto.randomUUID().slice(0, 6)}`;
    await seedManyHosts(3, tag);
    const id = await exportTask({ search: tag });
    const flaky = flakyBucket("put", 0);
    const { result } = await deliver(
      "fleetgate-tasks",
      [{ body: { v: 1, task_id: id } }, { body: { v: 1, task_id: id } }],
      { ...env, EXPORTS: flaky.bucket },
    );
    expect(result.explicitAcks).toHaveLength(2);
    expect(flaky.calls.put).toBe(1);
    const row = await taskRow(id);
    expect(row?.status).toBe("SUCCESS");
    expect(row?.attempts).toBe(1);
    expect(await objectKeys(`exports/${id}/`)).toHaveLength(1);
  });

  it("a late duplicate of a finished task is acked without any work", async () => {
    const id = await seedTask({ status: "SUCCESS", createdBy: adminId, params: exportParams({}) });
    const flaky = flakyBucket("put", 0);
    const { result } = await deliverTask(id, 1, { ...env, EXPORTS: flaky.bucket });
    expect(result.explicitAcks).toHaveLength(1);
    expect(flaky.calls.put + flaky.calls.uploadPart).toBe(0);
    expect((await taskRow(id))?.attempts).toBe(0);
  });

  it("a delivery while another holds the lease is retried later, not run", async () => {
    const id = await exportTask({}, { status: "STARTED", leaseUntil: Date.now() + 120_000 });
    const { result, retryDelays } = await deliverTask(id);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toHaveLength(1);
    expect(retryDelays[0]).toBeGreaterThanOrEqual(100);
    expect((await taskRow(id))?.status).toBe("STARTED");
  });

  it("a STARTED task whose lease ran out (dead worker) is re-claimed and finished", async () => {
    const tag = `lease-${crypto.randomUUID().slice(0, 6)}`;
    await seedManyHosts(2, tag);
    const id = await exportTask({ search: tag }, { status: "STARTED", leaseUntil: Date.now() - 1 });
    await deliverTask(id, 2);
    expect((await taskRow(id))?.status).toBe("SUCCESS");
  });

  it("a message for a deleted task is acked", async () => {
    const { result } = await deliverTask(crypto.randomUUID());
    expect(result.explicitAcks).toHaveLength(1);
  });
});

describe("poison messages go to the dead-letter queue and end as FAILURE", () => {
  it("an unparseable message is forwarded to the DLQ at once (no retries) and acked", async () => {
    const id = await exportTask({});
    const dlq = recordingQueue();
    const bodies = [{ v: 1, task_id: id, extra: true }, "garbage", { v: 2, task_id: "not-a-uuid" }];
    const { result } = await deliver(
      "fleetgate-tasks",
      bodies.map((body) => ({ body })),
      { ...env, TASKS_DLQ: dlq.queue },
    );
    expect(result.explicitAcks).toHaveLength(3);
    expect(result.retryMessages).toEqual([]);
    expect(dlq.sent).toHaveLength(3);
    expect(dlq.sent[0]).toMatchObject({ poison: true, body: bodies[0] });
    expect((await taskRow(id))?.status).toBe("PENDING");

    // The DLQ consumer records the failure of the one whose task it can name.
    const dead = await deliver(
      DLQ,
      dlq.sent.map((body) => ({ body })),
    );
    expect(dead.result.explicitAcks).toHaveLength(3);
    const row = await taskRow(id);
    expect(row?.status).toBe("FAILURE");
    expect(row?.error).toMatch(/^dead-lettered: unparseable message/);
  });

  it("retries exhausted → the DLQ marks the task FAILURE; a finished task keeps its state", async () => {
    const pending = await exportTask({});
    const done = await seedTask({ status: "SUCCESS", createdBy: adminId });
    await deliver(DLQ, [{ body: { v: 1, task_id: pending } }, { body: { v: 1, task_id: done } }]);
    expect(await taskRow(pending)).toMatchObject({ status: "FAILURE", error: "dead-lettered: retries exhausted" });
    expect((await taskRow(done))?.status).toBe("SUCCESS");
  });

  it("a batch with a good message, its duplicate and a poison one → exactly one result, one file, one FAILURE", async () => {
    const tag = `mix-${crypto.randomUUID().slice(0, 6)}`;
    await seedManyHosts(5, tag);
    const good = await exportTask({ search: tag });
    const poisoned = await exportTask({});
    const dlq = recordingQueue();
    const { result } = await deliver(
      "fleetgate-tasks",
      [
        { body: { v: 1, task_id: good } },
        { body: { v: 1, task_id: good } },
        { body: { v: 1, task_id: poisoned, params: "evil" } },
      ],
      { ...env, TASKS_DLQ: dlq.queue },
    );
    expect(result.explicitAcks).toHaveLength(3);
    await deliver(
      DLQ,
      dlq.sent.map((body) => ({ body })),
    );
    expect((await taskRow(good))?.status).toBe("SUCCESS");
    expect(await objectKeys(`exports/${good}/`)).toHaveLength(1);
    expect((await taskRow(poisoned))?.status).toBe("FAILURE");
    expect(await objectKeys(`exports/${poisoned}/`)).toEqual([]);
  });

  it("permanent failures end as FAILURE without retries: unknown task, bad parameters, creator disabled", async () => {
    const unknown = await seedTask({ status: "PENDING", createdBy: adminId, name: "fleetgate.nope" });
    const badParams = await seedTask({ status: "PENDING", createdBy: adminId, params: { request: { kind: "x" } } });
    const gone = await userWithRole("operator");
    const orphan = await exportTask({}, { createdBy: gone.id });
    const { call } = await import("./helpers");
    const { bearer } = await import("./auth-helpers");
    await call(`/api/v1/users/${gone.id}`, {
      method: "PUT",
      headers: bearer(await adminLogin()),
      json: { is_active: false },
    });
    for (const [id, error] of [
      [unknown, "unknown task fleetgate.nope"],
      [badParams, "invalid task parameters"],
      [orphan, "the export's creator no longer exists or is disabled"],
    ] as const) {
      const { result } = await deliverTask(id);
      expect(result.explicitAcks, error).toHaveLength(1);
      expect(await taskRow(id)).toMatchObject({ status: "FAILURE", error });
    }
  });
});

describe("cron: no task stays unfinished forever, and old results are deleted", () => {
  it("a STARTED task whose worker died and an old PENDING task become FAILURE", async () => {
    const started = await exportTask({}, { status: "STARTED", leaseUntil: Date.now() - 16 * 60_000 });
    const fresh = await exportTask({}, { status: "STARTED", leaseUntil: Date.now() + 60_000 });
    const lost = await exportTask({}, { createdAt: Date.now() - 25 * 3600_000 });
    const out = await runSweeps(env, Date.now());
    expect(out.filter((s) => s.error)).toEqual([]);
    expect(await taskRow(started)).toMatchObject({ status: "FAILURE", error: "worker lost: lease expired" });
    expect(await taskRow(lost)).toMatchObject({ status: "FAILURE", error: "never started: message lost" });
    expect((await taskRow(fresh))?.status).toBe("STARTED");
  });

  it("retention (7 days by default) deletes old task rows and their R2 objects, keeps recent ones", async () => {
    const old = crypto.randomUUID();
    const oldKey = `exports/${old}/inventory_export_2026-01-01_00-00-00.csv`;
    await env.EXPORTS.put(oldKey, "x");
    await seedTask({
      id: old,
      status: "SUCCESS",
      createdBy: adminId,
      fileKey: oldKey,
      createdAt: Date.now() - 8 * 86_400_000,
      finishedAt: Date.now() - 8 * 86_400_000,
    });
    const recent = crypto.randomUUID();
    const recentKey = `exports/${recent}/inventory_export_2026-01-01_00-00-00.csv`;
    await env.EXPORTS.put(recentKey, "y");
    await seedTask({
      id: recent,
      status: "SUCCESS",
      createdBy: adminId,
      fileKey: recentKey,
      finishedAt: Date.now() - 6 * 86_400_000,
    });
    await runSweeps(env, Date.now());
    expect(await taskRow(old)).toBeNull();
    expect(await env.EXPORTS.head(oldKey)).toBeNull();
    expect((await taskRow(recent))?.status).toBe("SUCCESS");
    expect(await env.EXPORTS.head(recentKey)).not.toBeNull();
  });

  it("TASK_RETENTION_DAYS is honoured", async () => {
    const id = await seedTask({ status: "FAILURE", createdBy: adminId, finishedAt: Date.now() - 2 * 86_400_000 });
    await runSweeps({ ...env, TASK_RETENTION_DAYS: "3" }, Date.now());
    expect(await taskRow(id)).not.toBeNull();
    await runSweeps({ ...env, TASK_RETENTION_DAYS: "1" }, Date.now());
    expect(await taskRow(id)).toBeNull();
  });

  it("one failing sweep does not stop the others", async () => {
    const { sweeps } = await import("@fleetgate/tasks");
    sweeps.unshift({
      name: "test.broken",
      run: async () => {
        throw new Error("boom");
      },
    });
    try {
      const started = await exportTask({}, { status: "STARTED", leaseUntil: Date.now() - 16 * 60_000 });
      const out = await runSweeps(env, Date.now());
      expect(out[0]).toEqual({ name: "test.broken", error: "boom" });
      expect(out.slice(1).every((s) => !s.error)).toBe(true);
      expect((await taskRow(started))?.status).toBe("FAILURE");
    } finally {
      sweeps.shift();
    }
  });

  it("the Worker's scheduled() handler runs the sweeps", async () => {
    const stale = await exportTask({}, { status: "STARTED", leaseUntil: Date.now() - 16 * 60_000 });
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }), env, ctx);
    const { waitOnExecutionContext } = await import("cloudflare:test");
    await waitOnExecutionContext(ctx);
    expect((await taskRow(stale))?.status).toBe("FAILURE");
  });
});
