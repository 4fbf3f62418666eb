import type { Database } from "../db";

/**
 * Statements built once per drizzle client — i.e. per D1 binding and isolate — and only bound
 * per call (drizzle's query building was a large share of the hot paths' CPU). `build` runs on
 * the first call for a client; later calls return the same prepared statements.
 */
export function oncePerClient<T>(build: (db: Database) => T): (db: Database) => T {
  const built = new WeakMap<Database, T>();
  return (db) => {
    let statements = built.get(db);
    if (statements === undefined) {
      statements = build(db);
      built.set(db, statements);
    }
    return statements;
  };
}

/** The group ids of a `json_group_array(...)` column (anything else in the array is dropped). */
export function groupIdsOf(json: string | null): string[] {
  const parsed: unknown = JSON.parse(json ?? "[]");
  return Array.isArray(parsed) ? parsed.filter((g): g is string => typeof g === "string") : [];
}
