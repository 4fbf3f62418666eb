import {
  encodePlanArgs,
  encodeRemoveArgs,
  type JobPlan,
  PATCH_APPLY_COMMAND,
  PATCH_ROLLBACK_COMMAND,
  type PlanItem,
} from "@fleetgate/contract";
import type { OnHealthFailure } from "@fleetgate/contract/patching";
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
import {
  initialJobStatus,
  type JobSchedule,
  patchJobSchedule,
  patchRow,
  scheduleAuditDetail,
  scheduleFields,
} from "./patch-job-window";
import type { Visibility } from "./visibility";

/** The plan field of a health-gated rollout (none without rings). */
const rolloutFields = (p: Pick<PatchJobRow, "ringCount" | "onHealthFailure">): Pick<JobPlan, "rollout"> =>
  p.ringCount > 0 ? { rollout: { ring_count: p.ringCount, on_health_failure: p.onHealthFailure ?? "stop" } } : {};

/**
 * Each host's ring (0-based) from the request's `rings`: every host of the job in exactly one
 * ring (400 otherwise). `onHealthFailure` without `rings` makes one ring of all hosts. Null: no rollout.
 */
function ringOf(req: PatchJobRequest, hostIds: string[]): Map<string, number> | null {
  if (!req.rings) return req.onHealthFailure ? new Map(hostIds.map((id) => [id, 0])) : null;
  const wanted = new Set(hostIds);
  const out = new Map<string, number>();
  req.rings.forEach((ring, i) => {
    for (const id of ring) {
      if (!wanted.has(id)) throw new DomainError("common.validation", `rings: host ${id} is not in host_ids`);
      if (out.has(id)) throw new DomainError("common.validation", `rings: host ${id} is in more than one ring`);
      out.set(id, i);
    }
  });
  const missing = hostIds.filter((id) => !out.has(id));
  if (missing.length > 0) {
    throw new DomainError(
      "common.validation",
      `rings: every host of host_ids must be in a ring (missing ${missing[0]})`,
    );
  }
  return out;
}

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
  /** Ordered host sets of a health-gated rollout (every host of the job in exactly one); null: none. */
  rings?: string[][] | null;
  /** With rings (or alone: one ring of every host): what a failed post-patch health check does. */
  onHealthFailure?: OnHealthFailure | null;
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
  const job: JobRow = {
    id,
    reqid: newReqid(),
    kind: input.kind,
    script: input.command,
    args: [],
    mode: "async",
    status: initialJobStatus(schedule, now),
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
  const rings = ringOf(req, [...new Set(hostIds)]);
  const plans = await plansFor(
    ctx,
    resolved.found.map((h) => h.id),
    req,
  );
  const planned = resolved.found.flatMap((target) => {
    const plan = plans.get(target.id) ?? [];
    if (plan.length === 0) return [];
    const args = encodePlanArgs(id, plan, { gate: rings !== null, allowReboot: req.allowReboot });
    if (!args) {
      throw new DomainError(
        "common.validation",
        `The plan for ${target.name} is too large for one job; select fewer packages`,
      );
    }
    return [{ target, args, plan, ring: rings?.get(target.id) ?? 0 }];
  });
  // Rings in order, renumbered without the rings left empty (their hosts had nothing to do).
  const used = [...new Set(planned.map((h) => h.ring))].sort((a, b) => a - b);
  const hosts = planned.map((h) => ({ ...h, ring: used.indexOf(h.ring) })).sort((a, b) => a.ring - b.ring);
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
    patch: patchRow(req.immediate, schedule, {
      allowReboot: req.allowReboot,
      securityOnly: req.securityOnly,
      packages: req.packages,
      ringCount: rings ? used.length : 0,
      onHealthFailure: rings ? (req.onHealthFailure ?? "stop") : null,
    }),
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
    patch: rollbackPatchRow(parent.id),
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

/** The patch row of a rollback job of `parentId` (it starts now). */
const rollbackPatchRow = (parentId: string) => patchRow(true, null, { parentJobId: parentId });

/** A UUID (version 8) from SHA-256 of `seed`: the same job id every time (idempotent creation). */
export async function derivedJobId(seed: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(seed)));
  const b = digest.slice(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the automatic rollback of ring `ring` of job `jobId` (one per ring, however often it is asked for). */
export const ringRollbackJobId = (jobId: string, ring: number) => derivedJobId(`ring_rollback:${jobId}:${ring}`);

/**
 * The automatic rollback of a rollout ring whose post-patch health checks failed (`on_health_failure:
 * rollback`), started by the patch job's JobRun with the ring's hosts on which the agent ran (the
 * JobRun knows them before D1 does). A `rollback` job with the patch job as parent, notes
 * "Automatic rollback of ring N of job <id>", audited without an actor. Idempotent: the id is
 * derived from the job and the ring, so a repeated call returns the existing job.
 */
export async function createRingRollbackJob(
  ctx: DomainContext,
  parentId: string,
  ring: number,
  hosts: readonly TargetHost[],
): Promise<string> {
  const id = await ringRollbackJobId(parentId, ring);
  if (await ctx.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.id, id)).get()) return id;
  const parent = await ctx.db.select().from(jobs).where(eq(jobs.id, parentId)).get();
  if (parent?.kind !== "patch_apply") throw new DomainError("common.not_found");
  const parentOptions = parent.options as Partial<JobOptions>;
  try {
    await insertAndStart(ctx, {
      id,
      kind: "rollback",
      command: PATCH_ROLLBACK_COMMAND,
      hosts: hosts.map((target) => ({ target, args: [parentId], plan: [] })),
      patch: rollbackPatchRow(parentId),
      options: {
        source: "native",
        timeout_seconds: parentOptions.timeout_seconds ?? 3600,
        queue_ttl_seconds: parentOptions.queue_ttl_seconds ?? 3600,
        require_online: false,
        max_parallel: parentOptions.max_parallel ?? 64,
        error_threshold: null,
        submitter: { username: "rollout", source_ip: "" },
      },
      notes: `Automatic rollback of ring ${ring + 1} of job ${parentId}`,
      auditDetail: { automatic: true, ring },
    });
  } catch (err) {
    // A concurrent call inserted it first: the same job.
    if (!String(err).includes("UNIQUE constraint failed")) throw err;
  }
  return id;
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
