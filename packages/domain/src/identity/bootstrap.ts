import { sql } from "drizzle-orm";
import { identities } from "../schema";
import type { DomainContext } from "../shared/context";
import { createUser } from "./users.service";

let bootstrapped = false;

/**
 * Creates the first admin from FLEETGATE_ADMIN_USERNAME / FLEETGATE_ADMIN_PASSWORD
 * when no user exists yet. Cheap after the first call in an isolate.
 */
export async function ensureBootstrapAdmin(ctx: DomainContext, username?: string, password?: string): Promise<void> {
  if (bootstrapped || !username || !password) return;
  const any = await ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(identities)
    .where(sql`${identities.kind} = 'user'`)
    .get();
  if ((any?.n ?? 0) === 0) {
    try {
      await createUser(ctx, { username, password, role: "admin", displayName: "Administrator", isDefaultAdmin: true });
    } catch (err) {
      // Another isolate won the race: fine. Anything else (weak password) must be visible.
      if (!/already exists/.test(String(err))) throw err;
    }
  }
  bootstrapped = true;
}
