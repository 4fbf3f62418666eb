import type { JobPlan } from "@fleetgate/contract";
import { sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { jobs, type PatchPlanItem, patchJobHosts, patchJobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";
import { insertJobHostRows, newJobHostRows } from "./job-host-rows";
import { type JobOptions, planOf } from "./job-plan";
import { newJobRow } from "./job-row";
import type { TargetHost } from "./job-targets.query";
import type { JobRow } from "./jobs.query";
import { initialJobStatus, type JobSchedule, scheduleAuditDetail, scheduleFields } from "./patch-job-window";

export type PatchJobRow = typeof patchJobs.$inferSelect;
export type PatchJobHostRow = typeof patchJobHosts.$inferSelect;

export /** The plan field of a health-gated rollout (none without rings). */
const rolloutFields = (p: Pick<PatchJobRow, "ringCount" | "onHealthFailure">): Pick<JobPlan, "rollout"> =>
  p.ringCount > 0 ? { rollout: { ring_count: p.ringCount, on_health_failure: p.onHealthFailure ?? "stop" } } : {};

export interface NewJob {
  kind: "patch_apply" | "patch_remove" | "rollback" | "reboot";
  command: string;
  /** In dispatch order (a rollout: ring by ring). */
  hosts: { target: TargetHost; args: string[]; plan: PatchPlanItem[]; ring?: number }[];
  patch: Omit<PatchJobRow, "jobId">;
  options: JobOptions;
  notes: string;
  id?: string;
  /** A job that waits for its maintenance window (status `pending` until it opens). */
  schedule?: JobSchedule | null;
  /** The audit entry's actor is the system (an automatic rollback), not the caller. */
  auditDetail?: Record<string, unknown>;
}

/** The job row, its host rows, its patch rows, in one audited batch; then its JobRun is started. */
export async function insertAndStart(ctx: DomainContext, input: NewJob): Promise<JobRow> {
  const id = input.id ?? newId();
  const now = ctx.now();
  const schedule = input.schedule ?? null;
  const job = newJobRow(ctx, now, {
    id,
    kind: input.kind,
    script: input.command,
    args: [],
    mode: "async",
    status: initialJobStatus(schedule, now),
    options: input.options,
    notes: input.notes,
    idempotencyKey: null,
    hostCount: input.hosts.length,
  });
  const rows = newJobHostRows(input.hosts.map((h) => h.target));
  await commitAudited(
    ctx,
    [
      ctx.db.insert(jobs).values(job),
      insertJobHostRows(ctx, id, rows),
      ctx.db.insert(patchJobs).values({ jobId: id, ...input.patch }),
      ctx.db.insert(patchJobHosts).select(
        sql`SELECT ${id}, json_extract(value, '$.host_id'), json_extract(value, '$.plan'), json_extract(value, '$.ring')
              FROM json_each(${JSON.stringify(input.hosts.map((h) => ({ host_id: h.target.id, plan: JSON.stringify(h.plan), ring: h.ring ?? 0 })))})`,
      ),
    ],
    {
      action: "job.create",
      targetType: "job",
      targetId: id,
      detail: {
        reqid: job.reqid,
        kind: input.kind,
        host_count: input.hosts.length,
        packages: input.hosts.reduce((n, h) => n + h.plan.length, 0),
        ...(input.patch.parentJobId ? { parent_job_id: input.patch.parentJobId } : {}),
        ...(input.patch.ringCount > 0
          ? { rings: input.patch.ringCount, on_health_failure: input.patch.onHealthFailure }
          : {}),
        ...(input.auditDetail ?? {}),
        ...scheduleAuditDetail(schedule),
      },
    },
  );
  const byHost = new Map(input.hosts.map((h) => [h.target.id, h]));
  const base = planOf(
    job,
    rows.map((r) => ({ id: r.id, hostId: r.host_id, hostName: r.host_name })),
  );
  const plan: JobPlan = {
    ...base,
    ...scheduleFields(schedule),
    ...rolloutFields(input.patch),
    hosts: base.hosts.map((h) => ({
      ...h,
      args: byHost.get(h.host_id)?.args ?? [],
      ...(input.patch.ringCount > 0 ? { ring: byHost.get(h.host_id)?.ring ?? 0 } : {}),
    })),
  };
  await ctx.jobRuns.start(plan);
  return job;
}
