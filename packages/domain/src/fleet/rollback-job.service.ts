import { PATCH_ROLLBACK_COMMAND } from "@fleetgate/contract";
import { eq } from "drizzle-orm";
import { jobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { getVisibleJob, jobHostRows } from "./job-lookup.query";
import type { JobOptions } from "./job-plan";
import type { TargetHost } from "./job-targets.query";
import { jobScope } from "./job-visibility";
import type { JobRow } from "./jobs.query";
import { insertAndStart } from "./patch-job-insert";
import { patchRow } from "./patch-job-window";
import type { Visibility } from "./visibility";

/** Host statuses in which the agent may have changed packages (a rollback target). */
const RAN: ReadonlySet<string> = new Set(["succeeded", "failed", "timed_out"]);

/** The patch row of a rollback job of `parentId` (it starts now). */
const rollbackPatchRow = (parentId: string) => patchRow(true, null, { parentJobId: parentId });

/** A rollback's options: the parent's limits (defaults where it had none), offline hosts waited for. */
function rollbackOptions(parent: JobRow, submitter: JobOptions["submitter"]): JobOptions {
  const parentOptions = parent.options as Partial<JobOptions>;
  return {
    source: "native",
    timeout_seconds: parentOptions.timeout_seconds ?? 3600,
    queue_ttl_seconds: parentOptions.queue_ttl_seconds ?? 3600,
    require_online: false,
    max_parallel: parentOptions.max_parallel ?? 64,
    error_threshold: null,
    submitter,
  };
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
  return insertAndStart(ctx, {
    kind: "rollback",
    command: PATCH_ROLLBACK_COMMAND,
    hosts: rows.map((r) => ({ target: { id: r.hostId, name: r.hostName }, args: [parent.id], plan: [] })),
    patch: rollbackPatchRow(parent.id),
    options: rollbackOptions(parent, submitter),
    notes: `Rollback of job ${parent.id}`,
  });
}

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
  try {
    await insertAndStart(ctx, {
      id,
      kind: "rollback",
      command: PATCH_ROLLBACK_COMMAND,
      hosts: hosts.map((target) => ({ target, args: [parentId], plan: [] })),
      patch: rollbackPatchRow(parentId),
      options: rollbackOptions(parent, { username: "rollout", source_ip: "" }),
      notes: `Automatic rollback of ring ${ring + 1} of job ${parentId}`,
      auditDetail: { automatic: true, ring },
    });
  } catch (err) {
    // A concurrent call inserted it first: the same job.
    if (!String(err).includes("UNIQUE constraint failed")) throw err;
  }
  return id;
}
