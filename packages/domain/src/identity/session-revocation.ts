import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { logAt } from "../log";
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

/** The `Principal.sessionId` of an access JWT: its refresh family (one sign-in). */
export const familySession = (familyId: string) => `family:${familyId}`;
/** The `Principal.sessionId` of an API token: the token itself. */
export const tokenSession = (tokenId: string) => `token:${tokenId}`;

/**
 * Whether a sign-in session is still live (its refresh family has no revoked
 * token; its API token still exists and has not expired). Checked when a
 * ticket opens a socket, so a session ended between the ticket and the
 * upgrade opens nothing.
 */
export async function sessionIsLive(ctx: DomainContext, sessionId: string): Promise<boolean> {
  const [kind, id = ""] = sessionId.split(":", 2);
  if (kind === "family") {
    const ended = await ctx.db
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.familyId, id), isNotNull(refreshTokens.revokedAt)))
      .get();
    return ended === undefined;
  }
  if (kind === "token") {
    const token = await apiTokenExpiry(ctx, id);
    return token !== undefined && (token.expiresAt === null || token.expiresAt > ctx.now());
  }
  return false;
}

/** An API token's expiry (null: none); undefined when the token no longer exists. */
export function apiTokenExpiry(ctx: DomainContext, id: string): Promise<{ expiresAt: number | null } | undefined> {
  return ctx.db.select({ expiresAt: apiTokens.expiresAt }).from(apiTokens).where(eq(apiTokens.id, id)).get();
}

/** Whose live sockets to close: every socket of an identity, or those opened under one sign-in session. */
export type SocketOwner = { identityId: string } | { sessionId: string };

/**
 * Closes live dashboard sockets (close code 1008 with `reason`) after the
 * change that ends their right to exist has committed: a disabled, deleted,
 * re-roled or revoked identity, a password change/reset or MFA reset (every
 * socket of the identity), or the end of one sign-in session — logout,
 * refresh-token reuse, a deleted API token — (only the sockets opened under
 * it). Awaited within the request; best effort: a hub that cannot be reached
 * is logged and the change stands (a new socket needs a ticket, which needs a
 * live session).
 */
export async function closeLiveSockets(ctx: DomainContext, owner: SocketOwner, reason: string): Promise<void> {
  try {
    if ("identityId" in owner) await ctx.events.closeIdentity(owner.identityId, reason);
    else await ctx.events.closeSession(owner.sessionId, reason);
  } catch (err) {
    logAt(ctx.logLevel, "warn", "closing dashboard sockets failed", { ...owner, reason, error: String(err) });
  }
}
