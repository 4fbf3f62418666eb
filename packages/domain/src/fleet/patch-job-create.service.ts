import {
  encodePlanArgs,
  encodeRemoveArgs,
  type JobPlan,
  PATCH_APPLY_COMMAND,
  PATCH_ROLLBACK_COMMAND,
  type PlanItem,
} from "@fleetgate/contract";
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { hostUpdates, jobs, type PatchPlanItem, patchJobHosts, patchJobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { inJson } from "../shared/in-json";
import { insertJobHostRows, newJobHostRows } from "./job-host-rows";
import { getVisibleJob, jobHostRows } from "./job-lookup.query";
import { type JobOptions, newReqid, planOf } from "./job-plan";
import { resolveHostsByIds, type TargetHost } from "./job-targets.query";
import { jobScope } from "./job-visibility";
import type { JobRow } from "./jobs.query";
import { type JobSchedule, patchJobSchedule } from "./patch-job-window";
import type { Visibility } from "./visibility";

/** The plan fields of a windowed job (the JobRun keeps it `pending` until `not_before`). */
const scheduleFields = (s: JobSchedule | null): Pick<JobPlan, "not_before" | "last_start_at"> =>
  s ? { not_before: s.notBefore, last_start_at: s.lastStartAt } : {};

/** A patch job as the native face submits it (linux-patch-manager.md §4 Jobs + our extensions). */
export interface PatchJobRequest {
  kind: "patch_apply";
  /** Package names to update; [] = every pending update. */
  packages: string[];
  immediate: boolean;
  maintenanceWindowId: string | null;
  allowReboot: boolean;
  securityOnly: boolean;
  /** Expected run time per host (minutes): no host starts after its window's end minus this. */
  expectedMinutes: number;
}

export type PatchJobRow = typeof patchJobs.$inferSelect;
export type PatchJobHostRow = typeof patchJobHosts.$inferSelect;

/** Host statuses in which the agent may have changed packages (a rollback target). */
const RAN: ReadonlySet<string> = new Set(["succeeded", "failed", "timed_out"]);

/**
 * Each host's plan from its pending updates as last reported: exact from → to versions, only
 * the selected packages (and only security updates with `securityOnly`). Packages not installed
 * yet (new dependencies) are not pinned: apt pulls them in and a rollback removes them again.
 */
async function plansFor(ctx: DomainContext, hostIds: string[], req: PatchJobRequest): Promise<Map<string, PlanItem[]>> {
  const rows = await ctx.db
    .select()
    .from(hostUpdates)
    .where(
      and(
        inJson(hostUpdates.hostId, hostIds),
        isNotNull(hostUpdates.currentVersion),
        req.packages.length > 0 ? inJson(hostUpdates.name, req.packages) : undefined,
        req.securityOnly ? eq(hostUpdates.security, "true") : undefined,
      ),
    )
    .orderBy(asc(hostUpdates.hostId), asc(hostUpdates.name), asc(hostUpdates.arch))
    .all();
  const plans = new Map<string, PlanItem[]>();
  for (const r of rows) {
    const list = plans.get(r.hostId) ?? [];
    list.push({ name: r.name, arch: r.arch, from_version: r.currentVersion, to_version: r.candidateVersion });
    plans.set(r.hostId, list);
  }
  return plans;
}

export interface NewJob {
  kind: "patch_apply" | "patch_remove" | "rollback";
  command: string;
  hosts: { target: TargetHost; args: string[]; plan: PatchPlanItem[] }[];
  patch: Omit<PatchJobRow, "jobId">;
  options: JobOptions;
  notes: string;
  id?: string;
  /** A job that waits for its maintenance window (status `pending` until it opens). */
  schedule?: JobSchedule | null;
}

/** The job row, its host rows, its patch rows, in one audited batch; then its JobRun is started. */
export async function insertAndStart(ctx: DomainContext, input: NewJob): Promise<JobRow> {
  const id = input.id ?? newId();
  const now = ctx.now();
  const schedule = input.schedule ?? null;
  const job: JobRow = {
    id,
    reqid: newReqid(),
    kind: input.kind,
    script: input.command,
    args: [],
    mode: "async",
    status: schedule && schedule.notBefore > now ? "pending" : "queued",
    options: input.options,
    notes: input.notes,
    createdBy: ctx.actor?.id ?? null,
    idempotencyKey: null,
    hostCount: input.hosts.length,
    succeededCount: 0,
    failedCount: 0,
    createdAt: now,
    startedAt: null,
    completedAt: null,
  };
  const rows = newJobHostRows(input.hosts.map((h) => h.target));
  await commitAudited(
    ctx,
    [
      ctx.db.insert(jobs).values(job),
      insertJobHostRows(ctx, id, rows),
      ctx.db.insert(patchJobs).values({ jobId: id, ...input.patch }),
      ctx.db.insert(patchJobHosts).select(
        sql`SELECT ${id}, json_extract(value, '$.host_id'), json_extract(value, '$.plan')
              FROM json_each(${JSON.stringify(input.hosts.map((h) => ({ host_id: h.target.id, plan: JSON.stringify(h.plan) })))})`,
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
        ...(schedule
          ? {
              maintenance_window_id: schedule.windowId,
              not_before: new Date(schedule.notBefore).toISOString(),
              last_start_at: new Date(schedule.lastStartAt).toISOString(),
            }
          : {}),
      },
    },
  );
  const argsOf = new Map(input.hosts.map((h) => [h.target.id, h.args]));
  const base = planOf(
    job,
    rows.map((r) => ({ id: r.id, hostId: r.host_id, hostName: r.host_name })),
  );
  const plan: JobPlan = {
    ...base,
    ...scheduleFields(schedule),
    hosts: base.hosts.map((h) => ({ ...h, args: argsOf.get(h.host_id) ?? [] })),
  };
  await ctx.jobRuns.start(plan);
  return job;
}

/**
 * Creates a `patch_apply` job: every host's plan (exact versions) is fixed now from its
 * reported pending updates and kept with the job; hosts with nothing to do are left out
 * (none left: 422 no_hosts). A job bound to a maintenance window (`maintenance_window_id`, or
 * `immediate: false` and the hosts' windows) is `pending` until the window opens.
 */
export async function createPatchJob(
  ctx: DomainContext,
  req: PatchJobRequest,
  hostIds: string[],
  v: Visibility,
  options: JobOptions,
  notes: string,
  /** A caller-chosen job id (auto_apply: one per window occurrence, so a repeated sweep cannot create two). */
  jobId?: string,
): Promise<JobRow> {
  const resolved = await resolveHostsByIds(ctx, hostIds, v);
  if (resolved.unknown.length > 0) {
    throw new DomainError("fleet.unknown_hosts", { details: { hosts: resolved.unknown, by: "id" } });
  }
  const id = jobId ?? newId();
  const plans = await plansFor(
    ctx,
    resolved.found.map((h) => h.id),
    req,
  );
  const hosts = resolved.found.flatMap((target) => {
    const plan = plans.get(target.id) ?? [];
    if (plan.length === 0) return [];
    const args = encodePlanArgs(id, plan);
    if (!args) {
      throw new DomainError(
        "common.validation",
        `The plan for ${target.name} is too large for one job; select fewer packages`,
      );
    }
    return [{ target, args, plan }];
  });
  if (hosts.length === 0) {
    throw new DomainError("fleet.no_hosts_match", "No selected host has pending updates matching the selection");
  }
  const schedule = await patchJobSchedule(
    ctx,
    { immediate: req.immediate, windowId: req.maintenanceWindowId, expectedMinutes: req.expectedMinutes },
    hosts.map((h) => h.target),
    v,
  );
  return insertAndStart(ctx, {
    id,
    kind: "patch_apply",
    command: PATCH_APPLY_COMMAND,
    hosts,
    schedule,
    patch: {
      immediate: req.immediate,
      maintenanceWindowId: schedule?.windowId ?? null,
      allowReboot: req.allowReboot,
      securityOnly: req.securityOnly,
      packages: req.packages,
      parentJobId: null,
    },
    options,
    notes,
  });
}

/**
 * `POST /jobs/{id}/rollback`: a `rollback` job for the hosts of a finished patch job on which
 * the agent ran (restores the exact pre-patch versions from each agent's vault). No such host:
 * 422 no_hosts. Needs every host of the parent visible.
 */
export async function createRollbackJob(
  ctx: DomainContext,
  parentId: string,
  v: Visibility,
  submitter: JobOptions["submitter"],
): Promise<JobRow> {
  const parent = await getVisibleJob(ctx, parentId, v);
  if (!(await jobScope(ctx, parent.id, v)).whole) throw new DomainError("auth.forbidden");
  if (parent.kind !== "patch_apply" && parent.kind !== "patch_remove") {
    throw new DomainError("fleet.no_hosts_match", "Only patch_apply and patch_remove jobs can be rolled back");
  }
  if (parent.status === "queued" || parent.status === "pending" || parent.status === "running") {
    throw new DomainError("jobs.invalid_state", { details: { status: parent.status } });
  }
  const rows = (await jobHostRows(ctx.db, parent.id)).filter((r) => RAN.has(r.status));
  if (rows.length === 0) throw new DomainError("fleet.no_hosts_match", "No host of this job has changes to roll back");
  const parentOptions = parent.options as Partial<JobOptions>;
  return insertAndStart(ctx, {
    kind: "rollback",
    command: PATCH_ROLLBACK_COMMAND,
    hosts: rows.map((r) => ({ target: { id: r.hostId, name: r.hostName }, args: [parent.id], plan: [] })),
    patch: {
      immediate: true,
      maintenanceWindowId: null,
      allowReboot: false,
      securityOnly: false,
      packages: [],
      parentJobId: parent.id,
    },
    options: {
      source: "native",
      timeout_seconds: parentOptions.timeout_seconds ?? 3600,
      queue_ttl_seconds: parentOptions.queue_ttl_seconds ?? 3600,
      require_online: false,
      max_parallel: parentOptions.max_parallel ?? 64,
      error_threshold: null,
      submitter,
    },
    notes: `Rollback of job ${parent.id}`,
  });
}

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
  const plans = new Map(stored?.hosts.map((h) => [h.hostId, h.plan]) ?? []);
  const parent = stored?.job.parentJobId ?? null;
  return {
    ...base,
    hosts: base.hosts.map((h) => ({
      ...h,
      args: parent !== null ? [parent] : (storedArgs(job, plans.get(h.host_id) ?? []) ?? []),
    })),
  };
}
type JobHostRowLike = Parameters<typeof planOf>[1][number];

/** A host's command arguments from its stored plan: packages to remove, or exact versions to install. */
function storedArgs(job: JobRow, plan: PatchPlanItem[]): string[] | null {
  if (job.kind === "patch_remove") {
    return encodeRemoveArgs(
      job.id,
      plan.flatMap((p) => (p.from_version === null ? [] : [{ name: p.name, arch: p.arch, version: p.from_version }])),
    );
  }
  return encodePlanArgs(
    job.id,
    plan.flatMap((p) => (p.to_version === null ? [] : [{ ...p, to_version: p.to_version }])),
  );
}
