import { JobOptions, type JobPlan } from "@fleetgate/contract";
import { and, asc, eq, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import type { Database } from "../db";
import { hosts, jobHosts, jobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { isUuid, newId } from "../shared/ids";
import type { JobHostRow, JobRow } from "./jobs.query";
import { hostVisible, type Visibility } from "./visibility";

/** A resolved target host. */
export interface TargetHost {
  id: string;
  name: string;
}

/** Active per-host states: a host in one of these holds the script's lock (ctrl-exec 409 `locked`). */
export const ACTIVE_HOST_STATUSES = ["pending", "dispatched", "running"] as const;

/** What a job remembers about how it was submitted (the zod schema lives in the contract). */
export type { JobOptions } from "@fleetgate/contract";

/** A job's options, parsed (never cast) from the stored JSON. */
export function jobOptionsOf(job: Pick<JobRow, "options">): JobOptions {
  return JobOptions.parse(job.options);
}

const visibleWhere = (v: Visibility) => hostVisible(v, sql`${hosts.id}`) ?? sql`1 = 1`;

/** Registry lookup by name (ctrl-exec addresses hosts by registry name); hosts the caller may not see count as unknown. */
export async function resolveHostsByName(
  ctx: DomainContext,
  names: string[],
  v: Visibility,
): Promise<{ found: Map<string, TargetHost>; unknown: string[] }> {
  const unique = [...new Set(names)];
  const rows = unique.length
    ? await ctx.db
        .select({ id: hosts.id, name: hosts.name })
        .from(hosts)
        .where(and(sql`${hosts.name} IN (SELECT value FROM json_each(${JSON.stringify(unique)}))`, visibleWhere(v)))
        .all()
    : [];
  const found = new Map(rows.map((r) => [r.name, r]));
  return { found, unknown: unique.filter((n) => !found.has(n)) };
}

/** Lookup by id; ids that do not exist or that the caller may not see are returned as unknown. */
export async function resolveHostsByIds(
  ctx: DomainContext,
  ids: string[],
  v: Visibility,
): Promise<{ found: TargetHost[]; unknown: string[] }> {
  const unique = [...new Set(ids)];
  const rows = await ctx.db
    .select({ id: hosts.id, name: hosts.name })
    .from(hosts)
    .where(and(sql`${hosts.id} IN (SELECT value FROM json_each(${JSON.stringify(unique)}))`, visibleWhere(v)))
    .all();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    found: unique.flatMap((id) => {
      const r = byId.get(id);
      return r ? [r] : [];
    }),
    unknown: unique.filter((id) => !byId.has(id)),
  };
}

/** Hosts matching a filter: membership of a group and/or a tag (`key` or `key=value`), in name order. */
export async function resolveHostsByFilter(
  ctx: DomainContext,
  filter: { group_id?: string; tag?: string },
  v: Visibility,
): Promise<TargetHost[]> {
  const where = [visibleWhere(v)];
  if (filter.group_id) {
    where.push(
      sql`EXISTS (SELECT 1 FROM host_groups hg WHERE hg.host_id = ${hosts.id} AND hg.group_id = ${filter.group_id})`,
    );
  }
  if (filter.tag !== undefined) {
    const eqAt = filter.tag.indexOf("=");
    const key = eqAt < 0 ? filter.tag : filter.tag.slice(0, eqAt);
    const value = eqAt < 0 ? undefined : filter.tag.slice(eqAt + 1);
    where.push(
      value === undefined
        ? sql`EXISTS (SELECT 1 FROM json_each(${hosts.tags}) t WHERE t.key = ${key})`
        : sql`EXISTS (SELECT 1 FROM json_each(${hosts.tags}) t WHERE t.key = ${key} AND t.value = ${value})`,
    );
  }
  return ctx.db
    .select({ id: hosts.id, name: hosts.name })
    .from(hosts)
    .where(and(...where))
    .orderBy(asc(hosts.name))
    .all();
}

/** A target host as the caller named it (ctrl-exec answers a lock with the names it was given). */
export interface LabelledHost {
  id: string;
  label: string;
}

/**
 * The ctrl-exec script lock: refuses with `jobs.script_locked` (the labels of
 * the hosts on which `script` is pending or running in another job) when any.
 */
export async function assertScriptUnlocked(ctx: DomainContext, script: string, hosts: LabelledHost[]): Promise<void> {
  const err = await scriptLockedError(ctx, script, hosts);
  if (err.details.hosts.length > 0) throw err;
}

async function scriptLockedError(
  ctx: DomainContext,
  script: string,
  hosts: LabelledHost[],
): Promise<DomainError<"jobs.script_locked">> {
  const locked = await scriptConflicts(
    ctx,
    hosts.map((h) => h.id),
    script,
  );
  const labels = [...new Set(hosts.filter((h) => locked.has(h.id)).map((h) => h.label))];
  return new DomainError("jobs.script_locked", { details: { script, hosts: labels } });
}

/** Ids of `hostIds` on which `script` is pending or running in some job (the ctrl-exec lock). */
export async function scriptConflicts(ctx: DomainContext, hostIds: string[], script: string): Promise<Set<string>> {
  if (hostIds.length === 0) return new Set();
  const rows = await ctx.db.all<{ host_id: string }>(sql`
    SELECT DISTINCT jh.host_id AS host_id FROM job_hosts jh JOIN jobs j ON j.id = jh.job_id
    WHERE j.script = ${script}
      AND jh.status IN ('pending', 'dispatched', 'running')
      AND jh.host_id IN (SELECT value FROM json_each(${JSON.stringify(hostIds)}))`);
  return new Set(rows.map((r) => r.host_id));
}

/** 16 lowercase hex characters from 8 random bytes (ctrl-exec.md §6). */
export function newReqid(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

export interface NewScriptJob {
  script: string;
  args: string[];
  mode: "sync" | "async";
  hosts: TargetHost[];
  options: JobOptions;
  notes?: string;
  idempotencyKey?: string;
  /** How the caller named each host, for a lock refusal (default: the hosts' names). */
  labels?: LabelledHost[];
}

/** The plan a JobRun executes, from the job and its host rows (so a lost start can be replayed from D1). */
export function planOf(job: JobRow, rows: Pick<JobHostRow, "hostId" | "hostName" | "id">[]): JobPlan {
  const o = jobOptionsOf(job);
  return {
    job_id: job.id,
    reqid: job.reqid,
    script: job.script ?? "",
    args: job.args,
    mode: job.mode,
    timeout_seconds: o.timeout_seconds,
    queue_ttl_seconds: o.queue_ttl_seconds,
    require_online: o.require_online,
    max_parallel: o.max_parallel,
    error_threshold: o.error_threshold,
    hosts: rows.map((r) => ({ host_id: r.hostId, host_name: r.hostName, command_id: r.id })),
  };
}

const uniqueViolation = (err: unknown) => /UNIQUE constraint failed/i.test(String(err));

/** The caller's job created with this Idempotency-Key, if any. */
export async function byIdempotencyKey(ctx: DomainContext, key: string): Promise<JobRow | undefined> {
  return ctx.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.createdBy, ctx.actor?.id ?? ""), eq(jobs.idempotencyKey, key)))
    .get();
}

/**
 * Creates a script job: the job row and one `pending` row per host, in one
 * audited D1 batch. The per-host row id doubles as the command id the agent
 * sees, so it is stable for the life of the job (eviction safety, agent dedupe).
 * With an idempotency key the caller's earlier job with that key is returned.
 */
export async function createScriptJob(
  ctx: DomainContext,
  input: NewScriptJob,
): Promise<{ job: JobRow; plan: JobPlan; existing: boolean }> {
  if (input.hosts.length === 0) throw new DomainError("common.validation", "No hosts to run on");
  if (input.idempotencyKey) {
    const prior = await byIdempotencyKey(ctx, input.idempotencyKey);
    if (prior) return existingJob(ctx, prior, input.options.request_hash);
  }
  const id = newId();
  const now = ctx.now();
  const job: JobRow = {
    id,
    reqid: newReqid(),
    kind: "script",
    script: input.script,
    args: input.args,
    mode: input.mode,
    status: "queued",
    options: input.options,
    notes: input.notes ?? "",
    createdBy: ctx.actor?.id ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    hostCount: input.hosts.length,
    succeededCount: 0,
    failedCount: 0,
    createdAt: now,
    startedAt: null,
    completedAt: null,
  };
  const rows = input.hosts.map((h) => ({ id: newId(), host_id: h.id, host_name: h.name }));
  try {
    await commitAudited(
      ctx,
      [
        ctx.db.insert(jobs).values(job),
        // One statement for every host row: json_each keeps it under D1's bound-parameter cap.
        // (INSERT … SELECT names every column of job_hosts, in declaration order.)
        ctx.db.insert(jobHosts).select(
          sql`SELECT json_extract(value, '$.id'), ${id}, json_extract(value, '$.host_id'),
                 json_extract(value, '$.host_name'), 'pending', NULL, '', '', NULL, NULL,
                 json_extract(value, '$.id'), NULL, NULL
          FROM json_each(${JSON.stringify(rows)})`,
        ),
      ],
      {
        action: "job.create",
        targetType: "job",
        targetId: id,
        detail: {
          reqid: job.reqid,
          kind: "script",
          script: input.script,
          mode: input.mode,
          source: input.options.source,
          host_count: input.hosts.length,
        },
      },
    );
  } catch (err) {
    // The trigger in migrations/0004 aborts the insert when a concurrent job won the lock: the same refusal.
    if (/script locked/.test(String(err))) {
      throw await scriptLockedError(
        ctx,
        input.script,
        input.labels ?? input.hosts.map((h) => ({ id: h.id, label: h.name })),
      );
    }
    if (input.idempotencyKey && uniqueViolation(err)) {
      const prior = await byIdempotencyKey(ctx, input.idempotencyKey);
      if (prior) return existingJob(ctx, prior, input.options.request_hash);
    }
    throw err;
  }
  const plan = planOf(
    job,
    rows.map((r) => ({ id: r.id, hostId: r.host_id, hostName: r.host_name })),
  );
  return { job, plan, existing: false };
}

async function existingJob(ctx: DomainContext, prior: JobRow, requestHash: string | undefined) {
  const priorHash = (prior.options as { request_hash?: string }).request_hash;
  if (requestHash && priorHash && priorHash !== requestHash) {
    throw new DomainError("common.conflict", "Idempotency-Key was already used for a different request");
  }
  const rows = await jobHostRows(ctx.db, prior.id);
  return { job: prior, plan: planOf(prior, rows), existing: true };
}

/** A job's per-host rows in host-name order. */
export function jobHostRows(db: Database, jobId: string): Promise<JobHostRow[]> {
  return db.select().from(jobHosts).where(eq(jobHosts.jobId, jobId)).orderBy(asc(jobHosts.hostName)).all();
}

/** A job by its ctrl-exec reqid. */
export async function jobByReqid(ctx: DomainContext, reqid: string): Promise<JobRow | undefined> {
  return ctx.db.select().from(jobs).where(eq(jobs.reqid, reqid)).get();
}

/** A job by id, or undefined. */
export async function jobById(db: Database, id: string): Promise<JobRow | undefined> {
  if (!isUuid(id)) return undefined;
  return db.select().from(jobs).where(eq(jobs.id, id)).get();
}

/** May the caller see this job? Admins all; others when at least one target host is visible to them. */
export async function jobVisibleTo(ctx: DomainContext, jobId: string, v: Visibility): Promise<boolean> {
  const cond = hostVisible(v, sql`jh.host_id`);
  if (!cond) return true;
  const row = await ctx.db.get<{ ok: number } | undefined>(
    sql`SELECT 1 AS ok FROM job_hosts jh WHERE jh.job_id = ${jobId} AND ${cond} LIMIT 1`,
  );
  return row !== undefined;
}

/** A job the caller may see (404 "Job not found" / 403 "Access denied", as linux-patch-manager.md §4). */
export async function getVisibleJob(ctx: DomainContext, id: string, v: Visibility): Promise<JobRow> {
  const job = await jobById(ctx.db, id);
  if (!job) throw new DomainError("common.not_found", "Job not found");
  if (!(await jobVisibleTo(ctx, id, v))) throw new DomainError("auth.forbidden", "Access denied");
  return job;
}

/** Display names (fallback FQDN, then the registry name) of each job's hosts, sorted (issue #23 of LPM). */
export async function hostNamesOf(ctx: DomainContext, jobIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(jobIds.map((id) => [id, []]));
  if (jobIds.length === 0) return out;
  const rows = await ctx.db.all<{ job_id: string; name: string }>(sql`
    SELECT jh.job_id AS job_id,
           COALESCE(NULLIF(h.display_name, ''), NULLIF(h.fqdn, ''), jh.host_name) AS name
    FROM job_hosts jh LEFT JOIN hosts h ON h.id = jh.host_id
    WHERE jh.job_id IN (SELECT value FROM json_each(${JSON.stringify(jobIds)}))`);
  for (const r of rows) out.get(r.job_id)?.push(r.name);
  for (const list of out.values()) list.sort((a, b) => a.localeCompare(b));
  return out;
}

/** Display names of the hosts of one job, keyed by host id. */
export async function displayNamesOf(ctx: DomainContext, hostIds: string[]): Promise<Map<string, string>> {
  if (hostIds.length === 0) return new Map();
  const rows = await ctx.db.all<{ id: string; name: string }>(sql`
    SELECT id, COALESCE(NULLIF(display_name, ''), NULLIF(fqdn, ''), name) AS name FROM hosts
    WHERE id IN (SELECT value FROM json_each(${JSON.stringify(hostIds)}))`);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Audits a cancellation request (the JobRun does the state change). */
export async function auditJobCancel(ctx: DomainContext, job: JobRow): Promise<void> {
  await commitAudited(ctx, [], {
    action: "job.cancel",
    targetType: "job",
    targetId: job.id,
    detail: { reqid: job.reqid, status: job.status },
  });
}

// ---- writes from the JobRun Durable Object (no DomainContext: it has only the D1 binding) ----

export interface JobStateRow {
  id: string;
  status: JobRow["status"];
  succeededCount: number;
  failedCount: number;
  startedAt: number | null;
  completedAt: number | null;
}

export interface JobHostStateRow {
  id: string;
  status: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputKey: string | null;
  error: string | null;
  startedAt: number | null;
  completedAt: number | null;
}

/** Writes a JobRun's current state to D1 in one batch (idempotent: full rows, last write wins). */
export async function writeJobState(
  db: Database,
  job: JobStateRow | undefined,
  rows: JobHostStateRow[],
): Promise<void> {
  const statements = [
    ...(job
      ? [
          db
            .update(jobs)
            .set({
              status: job.status,
              succeededCount: job.succeededCount,
              failedCount: job.failedCount,
              startedAt: job.startedAt,
              completedAt: job.completedAt,
            })
            .where(eq(jobs.id, job.id)),
        ]
      : []),
    ...rows.map((r) =>
      db
        .update(jobHosts)
        .set({
          status: r.status,
          exitCode: r.exitCode,
          stdout: r.stdout,
          stderr: r.stderr,
          outputKey: r.outputKey,
          error: r.error,
          startedAt: r.startedAt,
          completedAt: r.completedAt,
        })
        .where(eq(jobHosts.id, r.id)),
    ),
  ];
  if (statements.length === 0) return;
  await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
}

/** Cancels a job whose JobRun never started (D1 only); false when it is no longer queued. */
export async function cancelQueuedJob(ctx: DomainContext, jobId: string): Promise<boolean> {
  const now = ctx.now();
  const res = await ctx.db
    .update(jobs)
    .set({ status: "cancelled", completedAt: now })
    .where(and(eq(jobs.id, jobId), eq(jobs.status, "queued")))
    .run();
  if (res.meta.changes !== 1) return false;
  await ctx.db
    .update(jobHosts)
    .set({ status: "cancelled", error: "cancelled", completedAt: now })
    .where(eq(jobHosts.jobId, jobId))
    .run();
  return true;
}
