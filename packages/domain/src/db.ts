import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** Creates the drizzle client over a D1 binding; once per request. */
export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}
export type Database = ReturnType<typeof createDb>;
