import { eq } from "drizzle-orm";
import { selfUpgradeJobSchedules } from "../schema";
import type { DomainContext } from "../shared/context";
import type { PatchJobRow } from "./patch-job-insert";

/**
 * The scheduling fields of `GET /jobs/{id}` (linux-patch-manager.md §4: `parent_job_id`,
 * `maintenance_window_id`, `immediate`) for a job of any kind: a patch, removal or rollback job has
 * them in its patch row, a scheduled `self_upgrade` in its window schedule; every other job ran at once
 * (`immediate: true`, the others null).
 */
export interface JobScheduling {
  parentJobId: string | null;
  maintenanceWindowId: string | null;
  immediate: boolean;
}

export async function jobScheduling(
  ctx: Pick<DomainContext, "db">,
  job: { id: string; kind: string },
  patch: PatchJobRow | null,
): Promise<JobScheduling> {
  if (patch)
    return {
      parentJobId: patch.parentJobId,
      maintenanceWindowId: patch.maintenanceWindowId,
      immediate: patch.immediate,
    };
  if (job.kind === "self_upgrade") {
    const schedule = await ctx.db
      .select({ windowId: selfUpgradeJobSchedules.maintenanceWindowId })
      .from(selfUpgradeJobSchedules)
      .where(eq(selfUpgradeJobSchedules.jobId, job.id))
      .get();
    if (schedule) return { parentJobId: null, maintenanceWindowId: schedule.windowId, immediate: false };
  }
  return { parentJobId: null, maintenanceWindowId: null, immediate: true };
}
