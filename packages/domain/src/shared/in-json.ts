import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/**
 * `column IN (…values)` with one bound parameter (a JSON array read by `json_each`): D1 allows at most
 * 100 bound parameters per statement, so `inArray` with a job's host ids or package names fails
 * beyond that.
 */
export function inJson(column: SQLWrapper, values: readonly string[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
