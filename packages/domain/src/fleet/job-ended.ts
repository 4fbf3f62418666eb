import { notifySafely } from "../notify/notify.service";
import type { DomainContext } from "../shared/context";
import { jobById, jobHostRows } from "./job-lookup.query";

/** At most this many "rollback performed" emails per rollback job (one per restored host). */
const ROLLBACK_NOTICES_PER_JOB = 20;

/**
 * Called once when a job reaches its final state (the JobRun Durable Object,
 * after the final rows are in D1). A failed job sends the "job failed"
 * notification; a rollback job sends "rollback performed" for each host it
 * restored. Other follow-ups of a job's end belong here too.
 */
export async function onJobEnded(ctx: DomainContext, jobId: string): Promise<void> {
  const job = await jobById(ctx.db, jobId);
  if (!job) return;
  if (job.kind === "rollback") {
    const restored = (await jobHostRows(ctx.db, job.id)).filter((h) => h.status === "succeeded");
    for (const host of restored.slice(0, ROLLBACK_NOTICES_PER_JOB)) {
      await notifySafely(
        ctx,
        {
          type: "rollback_performed",
          job_id: job.id,
          host_id: host.hostId,
          hostname: host.hostName,
          summary: `Packages restored to their exact pre-patch versions by rollback job ${job.id}.`,
        },
        { dedupe: `rollback:${job.id}:${host.hostId}` },
      );
    }
  }
  if (job.status !== "failed") return;
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
