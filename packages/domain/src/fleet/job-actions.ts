import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { getVisibleJob, jobById, jobHostRows } from "./job-lookup.query";
import { type OutputStream, readJobOutput } from "./job-output";
import { auditJobCancel, cancelQueuedJob } from "./job-state.store";
import { jobScope, scopeShows } from "./job-visibility";
import type { JobRow } from "./jobs.query";
import type { Visibility } from "./visibility";

const FINISHED: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);

const invalidState = (status: string) => new DomainError("jobs.invalid_state", { details: { status } });

/**
 * Cancels a job the caller may see: its JobRun stops pending hosts and running
 * scripts. A job that never reached its JobRun (its start was lost) is
 * cancelled in D1 alone. A finished job is refused with `jobs.invalid_state`.
 */
export async function cancelJob(ctx: DomainContext, jobId: string, v: Visibility): Promise<JobRow> {
  const job = await getVisibleJob(ctx, jobId, v);
  // Cancelling stops every host's run, so it needs every host visible (docs/remote-execution.md).
  if (!(await jobScope(ctx, job.id, v)).whole) throw new DomainError("auth.forbidden");
  if (FINISHED.has(job.status)) throw invalidState(job.status);
  // As the reference: a patch job is cancelled only before it started (dpkg is never interrupted).
  // Script jobs keep our extension: a running script is stopped (docs/remote-execution.md).
  if (job.kind !== "script" && job.status !== "queued" && job.status !== "pending") throw invalidState(job.status);
  const res = await ctx.jobRuns.cancel(job.id);
  if (!res.ok) {
    if (res.status !== null) throw invalidState(res.status);
    if (!(await cancelQueuedJob(ctx, job.id))) {
      const now = await jobById(ctx.db, job.id);
      throw invalidState(now?.status ?? job.status);
    }
  }
  await auditJobCancel(ctx, job);
  return job;
}

/** One stream of one host's output in a job the caller may see (full output from R2 past the D1 preview). */
export async function readHostOutput(
  ctx: DomainContext,
  input: { jobId: string; hostId: string; stream: OutputStream },
  v: Visibility,
): Promise<string> {
  const job = await getVisibleJob(ctx, input.jobId, v);
  const scope = await jobScope(ctx, job.id, v);
  const row = (await jobHostRows(ctx.db, job.id)).find((r) => r.hostId === input.hostId);
  // An invisible host's output is as absent as a host that is not part of the job.
  if (!row || !scopeShows(scope, row.hostId)) throw new DomainError("common.not_found", "Host is not part of this job");
  return readJobOutput(ctx, row, input.stream);
}
