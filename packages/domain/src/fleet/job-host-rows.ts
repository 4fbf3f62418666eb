import { sql } from "drizzle-orm";
import { jobHosts } from "../schema";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";

/** A job's host row before insertion: its id doubles as the host's command id. */
export interface NewJobHostRow {
  id: string;
  host_id: string;
  host_name: string;
}

/** Fresh rows for a job's hosts. */
export function newJobHostRows(hosts: readonly { id: string; name: string }[]): NewJobHostRow[] {
  return hosts.map((h) => ({ id: newId(), host_id: h.id, host_name: h.name }));
}

/**
 * One INSERT for every host row of a job, however many: json_each keeps it under D1's
 * bound-parameter cap. (INSERT … SELECT names every column of job_hosts, in declaration order.)
 */
export function insertJobHostRows(ctx: Pick<DomainContext, "db">, jobId: string, rows: readonly NewJobHostRow[]) {
  return ctx.db.insert(jobHosts).select(
    sql`SELECT json_extract(value, '$.id'), ${jobId}, json_extract(value, '$.host_id'),
           json_extract(value, '$.host_name'), 'pending', NULL, '', '', NULL, NULL,
           json_extract(value, '$.id'), NULL, NULL
    FROM json_each(${JSON.stringify(rows.map(({ id, host_id, host_name }) => ({ id, host_id, host_name })))})`,
  );
}
