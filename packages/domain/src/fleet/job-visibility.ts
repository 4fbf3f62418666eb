import { sql } from "drizzle-orm";
import type { DomainContext } from "../shared/context";
import { hostVisible, type Visibility } from "./visibility";

/**
 * Per-host authorization of job data (docs/remote-execution.md "Who sees which
 * job rows"). A job is listed when one of its hosts is visible, but only the
 * visible hosts' rows, names and output are shown; `args` only to callers who
 * see every target; cancel only by callers who see every target.
 */
export interface JobScope {
  /** Host ids of the job the caller may see; undefined = all (admins). */
  visible: Set<string> | undefined;
  /** The caller sees every host of the job. */
  whole: boolean;
}

/** What of job `jobId` the caller may see. */
export async function jobScope(ctx: DomainContext, jobId: string, v: Visibility): Promise<JobScope> {
  const cond = hostVisible(v, sql`jh.host_id`);
  if (!cond) return { visible: undefined, whole: true };
  const rows = await ctx.db.all<{ host_id: string; visible: number }>(
    sql`SELECT jh.host_id AS host_id, CASE WHEN ${cond} THEN 1 ELSE 0 END AS visible
        FROM job_hosts jh WHERE jh.job_id = ${jobId}`,
  );
  const visible = new Set(rows.filter((r) => r.visible === 1).map((r) => r.host_id));
  return { visible, whole: visible.size === rows.length };
}

/** May the scope show host `hostId`'s row? */
export const scopeShows = (scope: JobScope, hostId: string) => scope.visible === undefined || scope.visible.has(hostId);
