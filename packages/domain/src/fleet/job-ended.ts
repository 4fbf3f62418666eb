import { notifySafely } from "../notify/notify.service";
import type { DomainContext } from "../shared/context";
import { jobById } from "./job-lookup.query";

/**
 * Called once when a job reaches its final state (the JobRun Durable Object,
 * after the final rows are in D1). A failed job sends the "job failed"
 * notification; other follow-ups of a job's end belong here too.
 */
export async function onJobEnded(ctx: DomainContext, jobId: string): Promise<void> {
  const job = await jobById(ctx.db, jobId);
  if (!job || job.status !== "failed") return;
  await notifySafely(ctx, {
    type: "job_failed",
    job_id: job.id,
    kind: job.kind,
    name: job.script ?? job.kind,
    failed: job.failedCount,
    succeeded: job.succeededCount,
    total: job.hostCount,
  });
}
