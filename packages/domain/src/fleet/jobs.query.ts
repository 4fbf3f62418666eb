import { and, asc, count, desc, eq, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import { jobHosts, jobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { hostVisible, type Visibility } from "./visibility";

export type JobRow = typeof jobs.$inferSelect;
export type JobHostRow = typeof jobHosts.$inferSelect;

/** Jobs the caller sees: admins all; others jobs with at least one visible target host. */
function jobWhere(v: Visibility): SQL | undefined {
  const visible = hostVisible(v, sql`jh.host_id`);
  if (!visible) return undefined;
  return sql`EXISTS (SELECT 1 FROM job_hosts jh WHERE jh.job_id = ${jobs.id} AND ${visible})`;
}

/** One page of jobs, newest first, with the total (linux-patch-manager.md §4 `GET /jobs`). */
export async function listJobs(
  ctx: DomainContext,
  page: { limit: number; offset: number },
  v: Visibility,
): Promise<{ jobs: JobRow[]; total: number }> {
  const where = jobWhere(v);
  const [rows, total] = await Promise.all([
    ctx.db
      .select()
      .from(jobs)
      .where(where)
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(page.limit)
      .offset(page.offset)
      .all(),
    ctx.db.select({ n: count() }).from(jobs).where(where).get(),
  ]);
  return { jobs: rows, total: total?.n ?? 0 };
}

/**
 * Every visible job, newest first, each with the per-host results of the hosts
 * the caller may see (host name order; finding 1: a non-admin never gets
 * another group's rows). Keyset pages of `pageSize` jobs; the IN list stays under D1's limit
 * of 100 bound parameters.
 */
export async function* iterateJobsWithHosts(
  ctx: DomainContext,
  v: Visibility,
  pageSize = 50,
): AsyncGenerator<{ job: JobRow; hosts: JobHostRow[] }[]> {
  const size = Math.min(pageSize, 90);
  let cursor: { createdAt: number; id: string } | undefined;
  for (;;) {
    const where: (SQL | undefined)[] = [jobWhere(v)];
    if (cursor) {
      where.push(
        or(lt(jobs.createdAt, cursor.createdAt), and(eq(jobs.createdAt, cursor.createdAt), lt(jobs.id, cursor.id))),
      );
    }
    const page = await ctx.db
      .select()
      .from(jobs)
      .where(and(...where))
      .orderBy(desc(jobs.createdAt), desc(jobs.id))
      .limit(size)
      .all();
    if (page.length === 0) return;
    const hostRows = await ctx.db
      .select()
      .from(jobHosts)
      .where(
        and(
          inArray(
            jobHosts.jobId,
            page.map((j) => j.id),
          ),
          hostVisible(v, sql`${jobHosts.hostId}`),
        ),
      )
      .orderBy(asc(jobHosts.hostName), asc(jobHosts.id))
      .all();
    const byJob = new Map<string, JobHostRow[]>();
    for (const h of hostRows) {
      const list = byJob.get(h.jobId) ?? [];
      list.push(h);
      byJob.set(h.jobId, list);
    }
    yield page.map((job) => ({ job, hosts: byJob.get(job.id) ?? [] }));
    const last = page[page.length - 1];
    if (!last || page.length < size) return;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}
