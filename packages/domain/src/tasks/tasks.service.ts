import { and, count, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { tasks } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";

export type TaskRow = typeof tasks.$inferSelect;
export type TaskStatus = TaskRow["status"];

/** Who is looking: a task is visible to its creator and to admins. */
export interface TaskViewer {
  id: string;
  role: "admin" | "operator" | "reporter";
}

/** Celery's UNREADY_STATES restricted to ours (zentral.md §4): PENDING, STARTED. */
export const isUnready = (s: TaskStatus | "UNKNOWN") => s === "PENDING" || s === "STARTED" || s === "UNKNOWN";

/** Creates a PENDING task and its audit entry in one D1 batch; the caller enqueues it afterwards. */
export async function createTask(
  ctx: DomainContext,
  input: { name: string; params: Record<string, unknown>; audit: { action: string; detail?: Record<string, unknown> } },
): Promise<TaskRow> {
  const row: TaskRow = {
    id: newId(),
    name: input.name,
    status: "PENDING",
    params: input.params,
    result: null,
    fileKey: null,
    headers: null,
    error: null,
    attempts: 0,
    leaseUntil: null,
    createdBy: ctx.actor?.id ?? null,
    createdAt: ctx.now(),
    startedAt: null,
    finishedAt: null,
  };
  await commitAudited(ctx, [ctx.db.insert(tasks).values(row)], {
    action: input.audit.action,
    targetType: "task",
    targetId: row.id,
    detail: { name: row.name, ...input.audit.detail },
  });
  return row;
}

/**
 * Creates a task and puts it on the queue. When the queue refuses the message the task is marked
 * FAILURE before the error propagates, so no task waits for a message that was never sent.
 */
export async function startQueuedTask(ctx: DomainContext, input: Parameters<typeof createTask>[1]): Promise<TaskRow> {
  const task = await createTask(ctx, input);
  try {
    await ctx.tasks.enqueue(task.id);
  } catch (err) {
    await failTask(ctx, task.id, "could not enqueue the task");
    throw err;
  }
  return task;
}

export async function findTask(ctx: DomainContext, id: string): Promise<TaskRow | undefined> {
  return ctx.db.select().from(tasks).where(eq(tasks.id, id)).get();
}

/** The task if `viewer` may see it (creator or admin), else undefined: others' tasks look like unknown ones. */
export async function findVisibleTask(
  ctx: DomainContext,
  id: string,
  viewer: TaskViewer,
): Promise<TaskRow | undefined> {
  const row = await findTask(ctx, id);
  if (!row) return undefined;
  return viewer.role === "admin" || row.createdBy === viewer.id ? row : undefined;
}

export async function getVisibleTask(ctx: DomainContext, id: string, viewer: TaskViewer): Promise<TaskRow> {
  const row = await findVisibleTask(ctx, id, viewer);
  if (!row) throw new DomainError("common.not_found", "Task not found");
  return row;
}

/** The viewer's tasks (admins: everyone's), newest first. */
export async function listTasks(
  ctx: DomainContext,
  viewer: TaskViewer,
  q: { limit: number; offset: number; status?: TaskStatus },
): Promise<{ tasks: TaskRow[]; total: number }> {
  const where = and(
    viewer.role === "admin" ? undefined : eq(tasks.createdBy, viewer.id),
    q.status ? eq(tasks.status, q.status) : undefined,
  );
  const [rows, total] = await Promise.all([
    ctx.db
      .select()
      .from(tasks)
      .where(where)
      .orderBy(desc(tasks.createdAt), desc(tasks.id))
      .limit(q.limit)
      .offset(q.offset)
      .all(),
    ctx.db.select({ n: count() }).from(tasks).where(where).get(),
  ]);
  return { tasks: rows, total: total?.n ?? 0 };
}

/**
 * Deletes a task row (audited) and returns it so the caller can delete its R2
 * object. Its signed download links die with the row (the file route checks it).
 */
export async function deleteTask(ctx: DomainContext, id: string, viewer: TaskViewer): Promise<TaskRow> {
  const row = await getVisibleTask(ctx, id, viewer);
  await commitAudited(ctx, [ctx.db.delete(tasks).where(eq(tasks.id, id))], {
    action: "task.delete",
    targetType: "task",
    targetId: id,
    detail: { name: row.name, status: row.status },
  });
  return row;
}

/**
 * Claims a task for one consumer: PENDING → STARTED, or a STARTED task whose
 * lease ran out (its worker died). One conditional UPDATE, so of two
 * concurrent deliveries of the same message exactly one wins.
 */
export async function claimTask(ctx: DomainContext, id: string, leaseMs: number): Promise<TaskRow | undefined> {
  const now = ctx.now();
  return ctx.db
    .update(tasks)
    .set({
      status: "STARTED",
      attempts: sql`${tasks.attempts} + 1`,
      startedAt: sql`COALESCE(${tasks.startedAt}, ${now})`,
      leaseUntil: now + leaseMs,
    })
    .where(
      and(
        eq(tasks.id, id),
        or(eq(tasks.status, "PENDING"), and(eq(tasks.status, "STARTED"), lt(tasks.leaseUntil, now))),
      ),
    )
    .returning()
    .get();
}

/** STARTED → SUCCESS with the result; false when the task is no longer ours (deleted, or failed by the sweeper). */
export async function completeTask(
  ctx: DomainContext,
  id: string,
  out: { result: Record<string, unknown>; fileKey: string | null; headers: Record<string, string> | null },
): Promise<boolean> {
  const row = await ctx.db
    .update(tasks)
    .set({ status: "SUCCESS", ...out, error: null, leaseUntil: null, finishedAt: ctx.now() })
    .where(and(eq(tasks.id, id), eq(tasks.status, "STARTED")))
    .returning({ id: tasks.id })
    .get();
  return row !== undefined;
}

/** STARTED → PENDING after a transient failure, keeping the error for operators; the message is retried. */
export async function releaseTask(ctx: DomainContext, id: string, error: string): Promise<void> {
  await ctx.db
    .update(tasks)
    .set({ status: "PENDING", leaseUntil: null, error: error.slice(0, 2000) })
    .where(and(eq(tasks.id, id), eq(tasks.status, "STARTED")))
    .run();
}

/** Any unfinished task → FAILURE (permanent failure, dead-lettered message, lost worker). Finished tasks keep their state. */
export async function failTask(ctx: DomainContext, id: string, error: string): Promise<boolean> {
  const row = await ctx.db
    .update(tasks)
    .set({ status: "FAILURE", error: error.slice(0, 2000), leaseUntil: null, finishedAt: ctx.now() })
    .where(and(eq(tasks.id, id), inArray(tasks.status, ["PENDING", "STARTED"])))
    .returning({ id: tasks.id })
    .get();
  return row !== undefined;
}

/**
 * No task stays unfinished forever: STARTED tasks whose lease ended more than
 * `graceMs` ago (their worker died and no redelivery re-claimed them) and
 * PENDING tasks older than `pendingMaxMs` (their message was lost) become FAILURE.
 */
export async function failStaleTasks(
  ctx: DomainContext,
  opts: { graceMs: number; pendingMaxMs: number },
): Promise<number> {
  const now = ctx.now();
  const rows = await ctx.db
    .update(tasks)
    .set({
      status: "FAILURE",
      error: sql`CASE WHEN ${tasks.status} = 'STARTED' THEN 'worker lost: lease expired' ELSE 'never started: message lost' END`,
      leaseUntil: null,
      finishedAt: now,
    })
    .where(
      or(
        and(eq(tasks.status, "STARTED"), lt(tasks.leaseUntil, now - opts.graceMs)),
        and(eq(tasks.status, "STARTED"), isNull(tasks.leaseUntil)),
        and(eq(tasks.status, "PENDING"), lt(tasks.createdAt, now - opts.pendingMaxMs)),
      ),
    )
    .returning({ id: tasks.id })
    .all();
  return rows.length;
}

/** Up to `limit` tasks finished (or created, if never finished) before `cutoff`: retention candidates. */
export async function expiredTasks(ctx: DomainContext, cutoff: number, limit: number) {
  return ctx.db
    .select({ id: tasks.id, fileKey: tasks.fileKey })
    .from(tasks)
    .where(
      sql`COALESCE(${tasks.finishedAt}, ${tasks.createdAt}) < ${cutoff} AND ${tasks.status} NOT IN ('PENDING', 'STARTED')`,
    )
    .limit(limit)
    .all();
}

/** Deletes task rows by id (retention); ≤ 90 ids per call (D1 bound-parameter limit). */
export async function deleteTaskRows(ctx: DomainContext, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await ctx.db.delete(tasks).where(inArray(tasks.id, ids)).run();
}
