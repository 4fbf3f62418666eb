import {
  claimTask,
  completeTask,
  createDomainContext,
  type DomainContext,
  failTask,
  findTask,
  log,
  releaseTask,
} from "@fleetgate/domain";
import type { TasksEnv } from "./env";
import { TASKS_DEAD_LETTER_QUEUE, TaskMessage, taskIdOf } from "./messages";
import { PermanentTaskError, taskDefinition } from "./registry";

/** How long a claimed task is ours; a queue consumer's wall-clock limit is 15 minutes. */
export const LEASE_MS = 15 * 60_000;

/** Exponential backoff between attempts: 10 s, 20 s, 40 s, … capped at 5 minutes. */
export const backoffSeconds = (attempts: number) => Math.min(300, 10 * 2 ** Math.max(0, attempts - 1));

const short = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

/**
 * The TASKS consumer (and the dead-letter consumer). Each message is parsed
 * with zod and handled on its own: ack when done or when there is nothing to
 * do (a duplicate delivery), retry with backoff on a transient failure,
 * dead-letter at once when it cannot be parsed. Work is idempotent: a task is
 * claimed with a conditional UPDATE, its file has a fixed key, and a finished
 * task is never run again.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: TasksEnv): Promise<void> {
  if (batch.queue === TASKS_DEAD_LETTER_QUEUE) return handleDeadLetters(batch, env);
  for (const msg of batch.messages) {
    const ctx = await createDomainContext(env, { requestId: `queue:${msg.id}` });
    try {
      await handleMessage(ctx, env, msg);
    } catch (err) {
      // Infrastructure trouble (D1 unavailable…): the message comes back later.
      log("error", "task message failed", { requestId: ctx.requestId, error: short(err) });
      msg.retry({ delaySeconds: backoffSeconds(msg.attempts) });
    }
  }
}

async function deadLetter(ctx: DomainContext, env: TasksEnv, msg: Message<unknown>, reason: string) {
  log("error", "poison task message", { requestId: ctx.requestId, reason });
  if (env.TASKS_DLQ) {
    await env.TASKS_DLQ.send({ poison: true, reason, body: msg.body }, { contentType: "json" });
  } else {
    // Without the producer binding, record the failure here (the dead-letter consumer would do the same).
    const taskId = taskIdOf(msg.body);
    if (taskId) await failTask(ctx, taskId, `dead-lettered: ${reason}`);
  }
  msg.ack();
}

async function handleMessage(ctx: DomainContext, env: TasksEnv, msg: Message<unknown>): Promise<void> {
  const parsed = TaskMessage.safeParse(msg.body);
  if (!parsed.success) {
    await deadLetter(ctx, env, msg, `unparseable message: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    return;
  }
  const id = parsed.data.task_id;
  const task = await claimTask(ctx, id, LEASE_MS);
  if (!task) {
    const row = await findTask(ctx, id);
    if (row?.status === "STARTED") {
      // Another delivery holds the lease: look again when it should be over.
      const wait = Math.ceil(((row.leaseUntil ?? 0) - ctx.now()) / 1000);
      msg.retry({ delaySeconds: Math.min(900, Math.max(5, wait)) });
      return;
    }
    // Finished (a duplicate delivery) or deleted: nothing to do, never a second run.
    log("info", "task message ignored", { requestId: ctx.requestId, taskId: id, status: row?.status ?? "deleted" });
    msg.ack();
    return;
  }

  const def = taskDefinition(task.name);
  const params = def?.params.safeParse(task.params);
  if (!def || !params?.success) {
    await failTask(ctx, id, def ? "invalid task parameters" : `unknown task ${task.name}`);
    msg.ack();
    return;
  }

  let out: Awaited<ReturnType<typeof def.run>>;
  try {
    out = await def.run({ domain: ctx, env, task }, params.data);
  } catch (err) {
    if (err instanceof PermanentTaskError) {
      await failTask(ctx, id, err.message);
      log("warn", "task failed", { requestId: ctx.requestId, taskId: id, error: err.message });
      msg.ack();
      return;
    }
    // The row keeps a neutral note; the cause goes to the log only.
    await releaseTask(ctx, id, `attempt ${msg.attempts} failed; will retry`);
    log("warn", "task attempt failed, will retry", {
      requestId: ctx.requestId,
      taskId: id,
      attempt: msg.attempts,
      error: short(err),
    });
    msg.retry({ delaySeconds: backoffSeconds(msg.attempts) });
    return;
  }

  if (!(await completeTask(ctx, id, out))) {
    // The task was deleted or failed by the sweeper meanwhile: its file must not outlive it.
    const now = await findTask(ctx, id);
    if (out.fileKey && now?.status !== "SUCCESS") await env.EXPORTS.delete(out.fileKey);
  }
  log("info", "task succeeded", { requestId: ctx.requestId, taskId: id, name: task.name, ...out.stats });
  msg.ack();
}

/**
 * The dead-letter consumer: every message that arrives here (poison, or
 * retries exhausted) leaves its task as FAILURE, never silently dropped.
 * A task already finished keeps its state.
 */
async function handleDeadLetters(batch: MessageBatch<unknown>, env: TasksEnv): Promise<void> {
  for (const msg of batch.messages) {
    const ctx = await createDomainContext(env, { requestId: `dlq:${msg.id}` });
    const taskId = taskIdOf(msg.body);
    const reason =
      msg.body && typeof msg.body === "object" && "poison" in msg.body
        ? String((msg.body as { reason?: unknown }).reason)
        : "retries exhausted";
    const changed = taskId ? await failTask(ctx, taskId, `dead-lettered: ${reason}`) : false;
    log("error", "dead-lettered task message", { requestId: ctx.requestId, taskId: taskId ?? null, reason, changed });
    msg.ack();
  }
}
