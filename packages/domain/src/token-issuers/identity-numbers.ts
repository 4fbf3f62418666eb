import { eq } from "drizzle-orm";
import { identityNumbers } from "../schema";
import type { DomainContext } from "../shared/context";

/** The identity's stable integer number (Zentral's integer `user.id`), assigned on first use. */
export async function identityNumber(ctx: DomainContext, identityId: string): Promise<number> {
  await ctx.db.insert(identityNumbers).values({ identityId }).onConflictDoNothing().run();
  const row = await ctx.db
    .select({ n: identityNumbers.number })
    .from(identityNumbers)
    .where(eq(identityNumbers.identityId, identityId))
    .get();
  if (!row) throw new Error("identity number not assigned");
  return row.n;
}
