import type { JobPlan } from "@fleetgate/contract";
import { and, asc, inArray, lt } from "drizzle-orm";
import { selfUpgradeJobPlan } from "../agent/agent-upgrade.service";
import { log, logAt } from "../log";
import type { JobProgress } from "../ports/job-runs.port";
import { jobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import type { HostRow } from "./host-records";
import { hostsByIds } from "./hosts.service";
import { byIdempotencyKey, createScriptJob } from "./job-create.service";
import { jobHostRows } from "./job-lookup.query";
import { readFullOutput } from "./job-output";
import { type JobOptions, planOf } from "./job-plan";
import {
  MAX_JOB_HOSTS,
  resolveHostsByFilter,
  resolveHostsByIds,
  resolveHostsByName,
  type TargetHost,
} from "./job-targets.query";
import type { JobHostRow, JobRow } from "./jobs.query";
import { createPatchJob, type PatchJobRequest } from "./patch-job-create.service";
import { patchJobPlan } from "./patch-job-plan";
import { createPatchRemoveJob, type PatchRemoveJobRequest } from "./patch-remove-job.service";
import { createRebootJob, type RebootJobRequest } from "./reboot-job.service";
import { assertScriptUnlocked, type LabelledHost } from "./script-lock";
import type { Visibility } from "./visibility";

/**
 * Which hosts a job targets, as each face names them:
 *  - `names`: registry names (ctrl-exec; `label` is the host string as the client sent it). The script lock is
 *    checked before unknown names are refused (ctrl-exec's order: lock 409 → registry 404);
 *  - `ids`: host ids (native); unknown ids are refused before the lock is checked;
 *  - `filter`: a group and/or tag (native); no match is refused.
 */
export type HostSelector =
  | { names: { name: string; label: string }[] }
  | { ids: string[] }
  | { filter: { group_id?: string; tag?: string } };

/** The job kinds a face may submit (patch kinds slot in here). */
export interface ScriptJobRequest {
  kind: "script";
  script: string;
  args: string[];
}

export interface SubmitJob {
  job: ScriptJobRequest | PatchJobRequest | PatchRemoveJobRequest | RebootJobRequest;
  hosts: HostSelector;
  visibility: Visibility;
  mode: "sync" | "async";
  options: JobOptions;
  notes?: string;
  idempotencyKey?: string;
  /** Wait for the job after launching it: until every host completed, or until every agent acknowledged. */
  wait?: { until: "complete" | "acks"; timeoutMs: number };
}

/** A host's result once the job was waited for: its row, full output (D1 preview or R2) and host record. */
export interface HostResult {
  target: TargetHost;
  row: JobHostRow | undefined;
  output: { stdout: string; stderr: string };
  host: HostRow | undefined;
}

export interface Submitted {
  job: JobRow;
  /** True when an earlier job with the same Idempotency-Key was returned. */
  existing: boolean;
  targets: TargetHost[];
  /** The JobRun's progress after the wait (undefined without a wait, or if it could not be read). */
  progress: JobProgress | undefined;
  /** Per target, after a wait until `complete`. */
  results: HostResult[] | undefined;
}

async function resolveTargets(
  ctx: DomainContext,
  input: SubmitJob & { job: ScriptJobRequest },
  checkLock: boolean,
): Promise<{ targets: TargetHost[]; labels: LabelledHost[] }> {
  const { hosts: sel, visibility: v } = input;
  const script = input.job.script;
  if ("names" in sel) {
    const resolved = await resolveHostsByName(
      ctx,
      sel.names.map((n) => n.name),
      v,
    );
    const labels = sel.names.flatMap((n) => {
      const found = resolved.found.get(n.name);
      return found ? [{ id: found.id, label: n.label }] : [];
    });
    if (checkLock) await assertScriptUnlocked(ctx, script, labels);
    if (resolved.unknown.length > 0) {
      throw new DomainError("fleet.unknown_hosts", { details: { hosts: resolved.unknown, by: "name" } });
    }
    const targets = [...new Set(sel.names.map((n) => n.name))].flatMap((n) => {
      const h = resolved.found.get(n);
      return h ? [h] : [];
    });
    return { targets, labels };
  }
  let targets: TargetHost[];
  if ("ids" in sel) {
    const r = await resolveHostsByIds(ctx, sel.ids, v);
    if (r.unknown.length > 0) throw new DomainError("fleet.unknown_hosts", { details: { hosts: r.unknown, by: "id" } });
    targets = r.found;
  } else {
    targets = await resolveHostsByFilter(ctx, sel.filter, v);
    if (targets.length === 0) throw new DomainError("fleet.no_hosts_match");
    if (targets.length > MAX_JOB_HOSTS) {
      throw new DomainError("common.validation", `host_filter matches more than ${MAX_JOB_HOSTS} hosts; narrow it`);
    }
  }
  const labels = targets.map((t) => ({ id: t.id, label: t.name }));
  if (checkLock) await assertScriptUnlocked(ctx, script, labels);
  return { targets, labels };
}

/**
 * Submits a job for any face: resolves the hosts, applies the script lock (also
 * when a concurrent job wins the race at insert time), creates the job, hands
 * it to its JobRun, and — when asked — waits for it and reads the results back
 * from D1 and R2. A repeated Idempotency-Key returns the earlier job.
 */
export async function submitJob(ctx: DomainContext, input: SubmitJob): Promise<Submitted> {
  const request = input.job;
  if (request.kind !== "script") {
    // Patch jobs (docs/patching.md): host ids only, a plan per host fixed now, never waited for here.
    if (!("ids" in input.hosts)) throw new DomainError("common.validation", "Patch jobs take host_ids");
    const { ids } = input.hosts;
    const notes = input.notes ?? "";
    const job =
      request.kind === "patch_remove"
        ? await createPatchRemoveJob(ctx, request, ids, input.visibility, input.options, notes)
        : request.kind === "reboot"
          ? await createRebootJob(ctx, request, ids, input.visibility, input.options, notes)
          : await createPatchJob(ctx, request, ids, input.visibility, input.options, notes);
    logAt(ctx.logLevel, "info", `ACTION=job REQID=${job.reqid} KIND=${job.kind} HOSTS=${job.hostCount}`, {
      requestId: ctx.requestId,
      job_id: job.id,
    });
    return { job, existing: false, targets: [], progress: undefined, results: undefined };
  }
  return submitScriptJob(ctx, { ...input, job: request });
}

async function submitScriptJob(ctx: DomainContext, input: SubmitJob & { job: ScriptJobRequest }): Promise<Submitted> {
  const prior = input.idempotencyKey ? await byIdempotencyKey(ctx, input.idempotencyKey) : undefined;
  const { targets, labels } = await resolveTargets(ctx, input, !prior);
  const { job, plan, existing } = await createScriptJob(ctx, {
    script: input.job.script,
    args: input.job.args,
    mode: input.mode,
    hosts: targets,
    notes: input.notes,
    idempotencyKey: input.idempotencyKey,
    labels,
    options: input.options,
  });
  if (!existing || job.status === "queued") await ctx.jobRuns.start(plan);
  logSubmission(ctx, input, job, targets, existing);
  if (!input.wait) return { job, existing, targets, progress: undefined, results: undefined };
  const progress = await ctx.jobRuns.wait(job.id, input.wait.timeoutMs, input.wait.until);
  if (input.wait.until === "acks") return { job, existing, targets, progress, results: undefined };
  // Two D1 queries for the whole job (its host rows, the targets' registry rows), not one per host;
  // R2 is read only for output longer than the preview D1 keeps.
  const [rows, hostRows] = await Promise.all([
    jobHostRows(ctx.db, job.id),
    hostsByIds(
      ctx.db,
      targets.map((t) => t.id),
    ),
  ]);
  const byId = new Map(rows.map((r) => [r.hostId, r]));
  const results = await Promise.all(
    targets.map(async (target) => {
      const row = byId.get(target.id);
      const output = row ? await readFullOutput(ctx, row) : { stdout: "", stderr: "" };
      return { target, row, output, host: hostRows.get(target.id) };
    }),
  );
  return { job, existing, targets, progress, results };
}

/** The submission's log line; ctrl-exec's is always written (the reqid is how operators correlate a run). */
function logSubmission(
  ctx: DomainContext,
  input: SubmitJob & { job: ScriptJobRequest },
  job: JobRow,
  targets: TargetHost[],
  existing: boolean,
) {
  const fields = { requestId: ctx.requestId, reqid: job.reqid, job_id: job.id };
  const script = input.job.script;
  if ("names" in input.hosts) {
    const names = input.hosts.names.map((n) => n.name).join(",");
    log("info", `ACTION=run HOSTS=${names} REQID=${job.reqid} SCRIPT=${script} MODE=${job.mode}`, fields);
  } else {
    logAt(ctx.logLevel, "info", `ACTION=job REQID=${job.reqid} SCRIPT=${script} HOSTS=${targets.length}`, {
      ...fields,
      existing,
    });
  }
}

/** A job whose JobRun never started (the Worker died between the D1 insert and `start`) is re-launched after this. */
const STUCK_AFTER_MS = 30_000;

/**
 * Re-launches a job that is still `queued` — or `pending` for its maintenance window — well
 * after it was created (its start may have been lost). `start` is idempotent: a JobRun that has
 * the job only reports its progress, so this is safe to repeat (the cron sweep does, see
 * `relaunchStuckJobs`). A pending job is replayed only with its stored window instants, so it
 * still waits for the window instead of starting at once.
 */
export async function relaunchIfStuck(ctx: DomainContext, job: JobRow): Promise<void> {
  if (job.status !== "queued" && job.status !== "pending") return;
  if (ctx.now() - job.createdAt < STUCK_AFTER_MS) return;
  const rows = await jobHostRows(ctx.db, job.id);
  if (rows.length === 0) return;
  const plan: JobPlan =
    job.kind === "script"
      ? planOf(job, rows)
      : job.kind === "self_upgrade"
        ? await selfUpgradeJobPlan(ctx, job, rows)
        : await patchJobPlan(ctx, job, rows);
  if (job.status === "pending" && plan.not_before === undefined) {
    logAt(ctx.logLevel, "warn", "pending job without stored window instants; not replayed", { job_id: job.id });
    return;
  }
  await ctx.jobRuns.start(plan);
}

/** At most this many stuck jobs are re-launched per sweep (the rest on the next one). */
const RELAUNCH_BATCH = 50;

/**
 * Cron sweep `jobs.relaunch`: every `queued` or `pending` job older than the stuck threshold is
 * handed to its JobRun again (idempotent there), so a job whose start was lost — including one
 * waiting for its maintenance window — still runs. Returns how many were re-launched.
 */
export async function relaunchStuckJobs(ctx: DomainContext): Promise<number> {
  const stuck = await ctx.db
    .select()
    .from(jobs)
    .where(and(inArray(jobs.status, ["queued", "pending"]), lt(jobs.createdAt, ctx.now() - STUCK_AFTER_MS)))
    .orderBy(asc(jobs.createdAt))
    .limit(RELAUNCH_BATCH)
    .all();
  let n = 0;
  for (const job of stuck) {
    try {
      await relaunchIfStuck(ctx, job);
      n++;
    } catch (err) {
      logAt(ctx.logLevel, "warn", "relaunching a stuck job failed", { job_id: job.id, error: String(err) });
    }
  }
  return n;
}
