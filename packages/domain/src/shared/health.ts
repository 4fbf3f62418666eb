import { sql } from "drizzle-orm";
import type { Database } from "../db";
import { log } from "../log";

/** Whether D1 answers a trivial query (the health check); a failure is logged with the request id. */
export async function databaseReachable(db: Database, requestId: string): Promise<boolean> {
  try {
    await db.get(sql`select 1`);
    return true;
  } catch (err) {
    log("error", "health: database unreachable", { requestId, error: String(err) });
    return false;
  }
}
