import { and, eq, lt } from "drizzle-orm";
import { discoveryScans } from "../schema";
import type { DomainContext } from "../shared/context";

/** The error a scan gets when its agent never reported back (the same text reads show before the sweep). */
export const SCAN_TIMED_OUT = "The scanning agent did not finish in time";

/**
 * Cron sweep: running discovery scans past their deadline are stored as failed (their agent went
 * away or never answered); a late `discovery_done` then finds no running scan and changes nothing.
 * Returns the ids marked.
 */
export async function expireDiscoveryScans(ctx: Pick<DomainContext, "db">, now: number): Promise<string[]> {
  const rows = await ctx.db
    .update(discoveryScans)
    .set({ status: "failed", error: SCAN_TIMED_OUT, completedAt: now })
    .where(and(eq(discoveryScans.status, "running"), lt(discoveryScans.deadlineAt, now)))
    .returning({ id: discoveryScans.id })
    .all();
  return rows.map((r) => r.id);
}
