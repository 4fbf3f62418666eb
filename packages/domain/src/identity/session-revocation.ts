import { and, eq, isNull } from "drizzle-orm";
import { apiSessions, apiTokens, identities, refreshTokens } from "../schema";
import type { DomainContext } from "../shared/context";

/**
 * Statements that end every sign-in session of an identity: access JWTs issued
 * before `now` (via `sessions_valid_after`), refresh families and Ziti
 * sessions. Used when a credential changes (password change/reset, MFA reset)
 * so a session opened with the old credential does not outlive it.
 */
export function endSessionsStatements(ctx: DomainContext, identityId: string, now: number) {
  return [
    ctx.db.update(identities).set({ sessionsValidAfter: now }).where(eq(identities.id, identityId)),
    ctx.db
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.identityId, identityId), isNull(refreshTokens.revokedAt))),
    ctx.db.delete(apiSessions).where(eq(apiSessions.identityId, identityId)),
  ];
}

/** Revocation (`/users/{id}/revoke`, disabling) also ends the identity's API tokens: they are deleted. */
export function apiTokenRevocationStatement(ctx: DomainContext, identityId: string) {
  return ctx.db.delete(apiTokens).where(eq(apiTokens.identityId, identityId));
}
