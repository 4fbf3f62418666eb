import { and, eq, inArray } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
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

/** Writes a JobRun's current state to D1 in one batch (idempotent: full rows, last write wins). */
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
    ...rows.map((r) =>
      db
        .update(jobHosts)
        .set({
          status: r.status,
          exitCode: r.exitCode,
          stdout: r.stdout,
          stderr: r.stderr,
          outputKey: r.outputKey,
          error: r.error,
          startedAt: r.startedAt,
          completedAt: r.completedAt,
        })
        .where(eq(jobHosts.id, r.id)),
    ),
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
