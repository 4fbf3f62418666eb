import { lt } from "drizzle-orm";
import { nonces } from "../schema";
import type { DomainContext } from "../shared/context";

/** Forgets single-use values (JWT `jti`s, …) whose replay window has closed. */
export async function pruneNonces(ctx: DomainContext): Promise<void> {
  await ctx.db.delete(nonces).where(lt(nonces.expiresAt, ctx.now())).run();
}
