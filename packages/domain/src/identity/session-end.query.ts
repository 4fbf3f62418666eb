import { eq, min } from "drizzle-orm";
import { refreshTokens } from "../schema";
import type { DomainContext } from "../shared/context";
import { apiTokenExpiry } from "./session-revocation";
import { REFRESH_FAMILY_MAX_MS } from "./session-tokens.service";

/**
 * When a sign-in session (`Principal.sessionId`) expires, epoch ms: a refresh
 * family at its absolute lifetime (first token + REFRESH_FAMILY_MAX_MS), an API
 * token at its `expires_at`. Undefined when it has no fixed end (a token
 * without expiry). A live dashboard socket is closed at that instant.
 */
export async function sessionEndsAt(ctx: DomainContext, sessionId: string): Promise<number | undefined> {
  const [kind, id = ""] = sessionId.split(":", 2);
  if (kind === "family") {
    const family = await ctx.db
      .select({ startedAt: min(refreshTokens.createdAt) })
      .from(refreshTokens)
      .where(eq(refreshTokens.familyId, id))
      .get();
    // A family with no rows has already ended.
    return family?.startedAt == null ? ctx.now() : family.startedAt + REFRESH_FAMILY_MAX_MS;
  }
  if (kind === "token") {
    const token = await apiTokenExpiry(ctx, id);
    return token === undefined ? ctx.now() : (token.expiresAt ?? undefined);
  }
  return ctx.now();
}
