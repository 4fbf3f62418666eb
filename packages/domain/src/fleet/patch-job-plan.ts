import { encodePlanArgs, encodeRemoveArgs, type JobPlan } from "@fleetgate/contract";
import { eq } from "drizzle-orm";
import { type PatchPlanItem, patchJobHosts, patchJobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { planOf } from "./job-plan";
import type { JobRow } from "./jobs.query";
import { type PatchJobHostRow, type PatchJobRow, rolloutFields } from "./patch-job-insert";

/** The patch rows of a job (null for script jobs) and each host's plan. */
export async function patchJobOf(
  ctx: DomainContext,
  jobId: string,
): Promise<{ job: PatchJobRow; hosts: PatchJobHostRow[] } | null> {
  const job = await ctx.db.select().from(patchJobs).where(eq(patchJobs.jobId, jobId)).get();
  if (!job) return null;
  const hosts = await ctx.db.select().from(patchJobHosts).where(eq(patchJobHosts.jobId, jobId)).all();
  return { job, hosts };
}

/**
 * The JobPlan of a patch or rollback job rebuilt from D1 (a lost start is replayed): each host's
 * arguments come from its stored plan, or the parent job for a rollback.
 */
export async function patchJobPlan(ctx: DomainContext, job: JobRow, rows: JobHostRowLike[]): Promise<JobPlan> {
  const stored = await patchJobOf(ctx, job.id);
  const base = planOf(job, rows);
  const byHost = new Map(stored?.hosts.map((h) => [h.hostId, h]) ?? []);
  const parent = stored?.job.parentJobId ?? null;
  const p = stored?.job;
  const rollout = p ? rolloutFields(p) : {};
  const gate = rollout.rollout !== undefined;
  const ringOfHost = (id: string) => byHost.get(id)?.ring ?? 0;
  return {
    ...base,
    ...(p && p.notBefore !== null && p.lastStartAt !== null
      ? { not_before: p.notBefore, last_start_at: p.lastStartAt }
      : {}),
    ...rollout,
    hosts: base.hosts
      .map((h) => ({
        ...h,
        args:
          parent !== null
            ? [parent]
            : (storedArgs(job, byHost.get(h.host_id)?.plan ?? [], gate, p?.allowReboot ?? false) ?? []),
        ...(gate ? { ring: ringOfHost(h.host_id) } : {}),
      }))
      .sort((a, b) => (a.ring ?? 0) - (b.ring ?? 0)),
  };
}
type JobHostRowLike = Parameters<typeof planOf>[1][number];

/** A host's command arguments from its stored plan: packages to remove, or exact versions to install. */
function storedArgs(job: JobRow, plan: PatchPlanItem[], gate: boolean, allowReboot: boolean): string[] | null {
  if (job.kind === "reboot") return [job.id];
  if (job.kind === "patch_remove") {
    return encodeRemoveArgs(
      job.id,
      plan.flatMap((p) => (p.from_version === null ? [] : [{ name: p.name, arch: p.arch, version: p.from_version }])),
    );
  }
  return encodePlanArgs(
    job.id,
    plan.flatMap((p) => (p.to_version === null ? [] : [{ ...p, to_version: p.to_version }])),
    { gate, allowReboot },
  );
}
