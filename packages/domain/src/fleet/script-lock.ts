import { sql } from "drizzle-orm";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";

/** Active per-host states: a host in one of these holds the script's lock (ctrl-exec 409 `locked`). */
export const ACTIVE_HOST_STATUSES = ["pending", "dispatched", "running"] as const;

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

export async function scriptLockedError(
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
