import type { JobPlan } from "@fleetgate/contract";
import { type Database, type JobRow, jobHostRows, logAt, planOf } from "@fleetgate/domain";
import { hostChannelStub, type JobProgress, jobRunStub } from "@fleetgate/realtime";
import type { Bindings } from "../context";

/**
 * How the faces hand jobs to their JobRun Durable Object and wait for them.
 * Both faces call these; the JobRun does the rest.
 */

/** A job whose JobRun never started (the Worker died between the D1 insert and `start`) is re-launched after this. */
const STUCK_AFTER_MS = 30_000;

export const jobRun = (env: Bindings, jobId: string) => jobRunStub(env, jobId);
export const hostChannel = (env: Bindings, hostId: string) => hostChannelStub(env, hostId);

/** Starts a job's JobRun (idempotent); one retry covers a Durable Object reset during the call. */
export async function launchJob(env: Bindings, plan: JobPlan): Promise<JobProgress | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await jobRun(env, plan.job_id).start(plan);
    } catch (err) {
      if (attempt >= 2) {
        // The job stays `queued` in D1; the next read of it re-launches it (relaunchIfStuck).
        logAt(env.LOG_LEVEL, "error", `REQID=${plan.reqid} could not start the job`, {
          reqid: plan.reqid,
          error: String(err),
        });
        return undefined;
      }
    }
  }
}

/** Re-launches a job that is still `queued` well after it was created (its start was lost). */
export async function relaunchIfStuck(env: Bindings, db: Database, job: JobRow, now: number): Promise<void> {
  if (job.status !== "queued" || now - job.createdAt < STUCK_AFTER_MS) return;
  const rows = await jobHostRows(db, job.id);
  if (rows.length === 0) return;
  await launchJob(env, planOf(job, rows));
}

/**
 * Waits for a job to end, at most `timeoutMs`. The wait itself is held by the
 * JobRun (alarm-driven); if that object is reset meanwhile the RPC fails and
 * we wait again on the fresh instance, which resumes from its storage.
 */
export async function awaitJob(
  env: Bindings,
  jobId: string,
  timeoutMs: number,
  kind: "complete" | "acks" = "complete",
): Promise<JobProgress | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: JobProgress | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const remaining = Math.max(0, deadline - Date.now());
    try {
      const stub = jobRun(env, jobId);
      last = kind === "complete" ? await stub.waitForCompletion(remaining) : await stub.waitForAcks(remaining);
      return last;
    } catch (err) {
      logAt(env.LOG_LEVEL, "warn", "waiting on JobRun failed; retrying", { job_id: jobId, error: String(err) });
      if (remaining === 0) return last;
    }
  }
  return last;
}
