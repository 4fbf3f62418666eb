import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "../db";
import { jobHosts, jobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import type { JobHostRow, JobRow } from "./jobs.query";
import { hostVisible, type Visibility } from "./visibility";

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
export async function hostNamesOf(
  ctx: DomainContext,
  jobIds: string[],
  v: Visibility = { kind: "all" },
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(jobIds.map((id) => [id, []]));
  if (jobIds.length === 0) return out;
  // Only the names of hosts the caller may see (per-host authorization of job data).
  const visible = hostVisible(v, sql`jh.host_id`) ?? sql`1 = 1`;
  const rows = await ctx.db.all<{ job_id: string; name: string }>(sql`
    SELECT jh.job_id AS job_id,
           COALESCE(NULLIF(h.display_name, ''), NULLIF(h.fqdn, ''), jh.host_name) AS name
    FROM job_hosts jh LEFT JOIN hosts h ON h.id = jh.host_id
    WHERE jh.job_id IN (SELECT value FROM json_each(${JSON.stringify(jobIds)})) AND ${visible}`);
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
