import type { JobPlan } from "@fleetgate/contract";
import { and, eq } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { jobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { insertJobHostRows, newJobHostRows } from "./job-host-rows";
import { jobHostRows } from "./job-lookup.query";
import { type JobOptions, planOf } from "./job-plan";
import { newJobRow } from "./job-row";
import type { TargetHost } from "./job-targets.query";
import type { JobRow } from "./jobs.query";
import { type LabelledHost, scriptLockedError } from "./script-lock";

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
  const job = newJobRow(ctx, now, {
    id,
    kind: "script",
    script: input.script,
    args: input.args,
    mode: input.mode,
    status: "queued",
    options: input.options,
    notes: input.notes ?? "",
    idempotencyKey: input.idempotencyKey ?? null,
    hostCount: input.hosts.length,
  });
  const rows = newJobHostRows(input.hosts);
  try {
    await commitAudited(ctx, [ctx.db.insert(jobs).values(job), insertJobHostRows(ctx, id, rows)], {
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
    });
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
