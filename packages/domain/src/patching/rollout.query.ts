import { type JobHostStatus, JobHostStatusEnum } from "@fleetgate/contract";
import { type RingState, ringViews } from "@fleetgate/contract/patching";
import { inArray } from "drizzle-orm";
import { jobOptionsOf } from "../fleet/job-plan";
import type { JobHostRow, JobRow } from "../fleet/jobs.query";
import type { PatchJobHostRow, PatchJobRow } from "../fleet/patch-job-insert";
import { ringRollbackJobId } from "../fleet/rollback-job.service";
import { jobs } from "../schema";
import type { DomainContext } from "../shared/context";

/** A ring of a rollout as `GET /jobs/{id}` shows it. */
export interface JobRingView {
  index: number;
  state: RingState;
  host_ids: string[];
  host_count: number;
  succeeded_count: number;
  failed_count: number;
  health_failed_count: number;
  reason: string | null;
  rollback_job_id: string | null;
}

const statusOf = (s: string): JobHostStatus => {
  const parsed = JobHostStatusEnum.safeParse(s);
  return parsed.success ? parsed.data : "pending";
};

/**
 * The rings of a health-gated rollout from the job's rows in D1 (the same rules the JobRun
 * applies: contract `patching/rollout.ts`), each failed ring with its automatic rollback job if
 * one was started. Null for a job without rings. `shows` filters the host ids a caller may see
 * (the states count every host).
 */
export async function jobRings(
  ctx: DomainContext,
  job: JobRow,
  patch: { job: PatchJobRow; hosts: PatchJobHostRow[] },
  rows: readonly JobHostRow[],
  shows: (hostId: string) => boolean,
): Promise<JobRingView[] | null> {
  if (patch.job.ringCount === 0) return null;
  const ringOf = new Map(patch.hosts.map((h) => [h.hostId, h.ring]));
  const hosts = rows.map((r) => ({
    host_id: r.hostId,
    ring: ringOf.get(r.hostId) ?? 0,
    status: statusOf(r.status),
    exit_code: r.exitCode,
  }));
  const views = ringViews(hosts, patch.job.ringCount, jobOptionsOf(job).error_threshold);
  const rollbackIds = new Map<number, string>();
  for (const v of views) {
    if (v.state === "failed") rollbackIds.set(v.index, await ringRollbackJobId(job.id, v.index));
  }
  const existing =
    rollbackIds.size > 0
      ? new Set(
          (
            await ctx.db
              .select({ id: jobs.id })
              .from(jobs)
              .where(inArray(jobs.id, [...rollbackIds.values()]))
              .all()
          ).map((j) => j.id),
        )
      : new Set<string>();
  return views.map((v) => {
    const rb = rollbackIds.get(v.index);
    return {
      index: v.index,
      state: v.state,
      host_ids: hosts.filter((h) => h.ring === v.index && shows(h.host_id)).map((h) => h.host_id),
      host_count: v.host_count,
      succeeded_count: v.succeeded,
      failed_count: v.failed,
      health_failed_count: v.health_failed,
      reason: v.reason,
      rollback_job_id: rb !== undefined && existing.has(rb) ? rb : null,
    };
  });
}
