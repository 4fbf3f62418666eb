import { eq, sql } from "drizzle-orm";
import { lastPatchAtSql } from "../reports/host-signals";
import { hosts } from "../schema";
import type { DomainContext } from "../shared/context";

/** When the host last completed a patch job successfully (`last_patch_at`; null: never). The caller checked visibility. */
export async function hostLastPatchAt(ctx: DomainContext, hostId: string): Promise<number | null> {
  const row = await ctx.db
    .select({ at: lastPatchAtSql(sql`${hosts.id}`) })
    .from(hosts)
    .where(eq(hosts.id, hostId))
    .get();
  return row?.at ?? null;
}
