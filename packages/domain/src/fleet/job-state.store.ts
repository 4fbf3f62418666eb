import { and, eq, inArray, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import type { Database } from "../db";
import { jobHosts, jobs } from "../schema";
import type { DomainContext } from "../shared/context";
import type { JobRow } from "./jobs.query";
import { patchOutcomeEvent } from "./patch-events";

/** Audits a cancellation request (the JobRun does the state change). */
export async function auditJobCancel(ctx: DomainContext, job: JobRow): Promise<void> {
  await commitAudited(ctx, [], {
    action: "job.cancel",
    targetType: "job",
    targetId: job.id,
    detail: { reqid: job.reqid, status: job.status },
  });
}

// ---- writes from the JobRun Durable Object (it passes its D1 handle) ----

export interface JobStateRow {
  id: string;
  status: JobRow["status"];
  succeededCount: number;
  failedCount: number;
  startedAt: number | null;
  completedAt: number | null;
}

export interface JobHostStateRow {
  id: string;
  status: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputKey: string | null;
  error: string | null;
  startedAt: number | null;
  completedAt: number | null;
}

/** Host rows per statement of a write-back: bounded by count and by the JSON's size (D1 takes ≤ 2 MB per value). */
const ROWS_PER_STATEMENT = 100;
const JSON_BYTES_PER_STATEMENT = 900_000;

/**
 * Host rows in chunks for `hostRowsUpdate`: at most `ROWS_PER_STATEMENT` rows and, unless one
 * row alone is larger, `JSON_BYTES_PER_STATEMENT` characters of JSON each.
 */
function hostRowChunks(rows: readonly JobHostStateRow[]): string[] {
  const chunks: string[] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const r of rows) {
    const json = JSON.stringify({
      id: r.id,
      status: r.status,
      exit_code: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      output_key: r.outputKey,
      error: r.error,
      started_at: r.startedAt,
      completed_at: r.completedAt,
    });
    if (cur.length > 0 && (cur.length >= ROWS_PER_STATEMENT || bytes + json.length > JSON_BYTES_PER_STATEMENT)) {
      chunks.push(`[${cur.join(",")}]`);
      cur = [];
      bytes = 0;
    }
    cur.push(json);
    bytes += json.length + 1;
  }
  if (cur.length > 0) chunks.push(`[${cur.join(",")}]`);
  return chunks;
}

/** One `UPDATE … FROM json_each(?)` for a chunk of host rows (full rows, last write wins). */
function hostRowsUpdate(db: Database, chunk: string) {
  const field = (name: string) => sql.raw(`w.${name}`);
  return db
    .update(jobHosts)
    .set({
      status: sql`${field("status")}`,
      exitCode: sql`${field("exit_code")}`,
      stdout: sql`${field("stdout")}`,
      stderr: sql`${field("stderr")}`,
      outputKey: sql`${field("output_key")}`,
      error: sql`${field("error")}`,
      startedAt: sql`${field("started_at")}`,
      completedAt: sql`${field("completed_at")}`,
    })
    .from(
      sql`(SELECT value ->> '$.id' AS id, value ->> '$.status' AS status, value ->> '$.exit_code' AS exit_code,
                  value ->> '$.stdout' AS stdout, value ->> '$.stderr' AS stderr,
                  value ->> '$.output_key' AS output_key, value ->> '$.error' AS error,
                  value ->> '$.started_at' AS started_at, value ->> '$.completed_at' AS completed_at
           FROM json_each(${chunk})) AS w`,
    )
    .where(sql`${jobHosts.id} = w.id`);
}

/**
 * Writes a JobRun's current state to D1 in one batch (idempotent: full rows, last write wins).
 * The host rows go in as JSON, one statement per chunk of up to 100 rows, instead of one
 * statement each.
 */
export async function writeJobState(
  ctx: Pick<DomainContext, "db">,
  job: JobStateRow | undefined,
  rows: JobHostStateRow[],
): Promise<void> {
  const { db } = ctx;
  const statements = [
    ...(job
      ? [
          db
            .update(jobs)
            .set({
              status: job.status,
              succeededCount: job.succeededCount,
              failedCount: job.failedCount,
              startedAt: job.startedAt,
              completedAt: job.completedAt,
            })
            .where(eq(jobs.id, job.id)),
        ]
      : []),
    ...hostRowChunks(rows).map((chunk) => hostRowsUpdate(db, chunk)),
    // After the job row: a finished patch job's outcome event (once; nothing for other jobs).
    ...(job?.completedAt != null ? [patchOutcomeEvent(db, job.id, job.status, job.completedAt)] : []),
  ];
  if (statements.length === 0) return;
  await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
}

/** Cancels a job whose JobRun never started (D1 only); false when it is no longer queued or pending. */
export async function cancelQueuedJob(ctx: DomainContext, jobId: string): Promise<boolean> {
  const now = ctx.now();
  const res = await ctx.db
    .update(jobs)
    .set({ status: "cancelled", completedAt: now })
    .where(and(eq(jobs.id, jobId), inArray(jobs.status, ["queued", "pending"])))
    .run();
  if (res.meta.changes !== 1) return false;
  await ctx.db
    .update(jobHosts)
    .set({ status: "cancelled", error: "cancelled", completedAt: now })
    .where(eq(jobHosts.jobId, jobId))
    .run();
  return true;
}
