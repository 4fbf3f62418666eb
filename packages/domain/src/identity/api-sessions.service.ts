import { newSessionToken, sha256Hex } from "@fleetgate/auth";
import { eq, lte } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { apiSessions, identities } from "../schema";
import type { DomainContext } from "../shared/context";
import { recordLogin } from "./passwords.service";
import type { IdentityRow } from "./users.service";

/** Ziti `edge.api.sessionTimeout`: 30 minutes of inactivity. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** lastActivityAt is written at most this often (Ziti batches every 90 s). */
const TOUCH_EVERY_MS = 30 * 1000;

export type ApiSessionRow = typeof apiSessions.$inferSelect;

/** Creates a zt-session after the first factor; MFA identities start partially authenticated. */
export async function createApiSession(
  ctx: DomainContext,
  identity: IdentityRow,
  input: {
    authenticatorId: string;
    method: string;
    mfaRequired: boolean;
    configTypes: string[];
    envInfo?: Record<string, string>;
    sdkInfo?: Record<string, string>;
  },
): Promise<{ token: string; session: ApiSessionRow }> {
  const token = newSessionToken();
  const now = ctx.now();
  const session: ApiSessionRow = {
    id: crypto.randomUUID(),
    tokenHash: await sha256Hex(token),
    identityId: identity.id,
    authenticatorId: input.authenticatorId,
    authMethod: input.method,
    mfaRequired: input.mfaRequired,
    mfaComplete: false,
    ipAddress: ctx.sourceIp,
    configTypes: input.configTypes,
    lastActivityAt: now,
    expiresAt: now + SESSION_IDLE_MS,
    createdAt: now,
    updatedAt: now,
  };
  const infoSet: Partial<IdentityRow> = {};
  if (input.envInfo) infoSet.envInfo = input.envInfo;
  if (input.sdkInfo) infoSet.sdkInfo = input.sdkInfo;
  await recordLogin(
    ctx,
    identity,
    `ziti:${input.method}`,
    () => [
      ctx.db.insert(apiSessions).values(session),
      ...(Object.keys(infoSet).length
        ? [ctx.db.update(identities).set(infoSet).where(eq(identities.id, identity.id))]
        : []),
    ],
    !input.mfaRequired,
  );
  return { token, session };
}

/** Resolves a zt-session token; refreshes its idle timer (throttled). Expired sessions are gone. */
export async function findApiSession(ctx: DomainContext, token: string): Promise<ApiSessionRow | undefined> {
  if (token.length === 0 || token.length > 128) return undefined;
  const row = await ctx.db
    .select()
    .from(apiSessions)
    .where(eq(apiSessions.tokenHash, await sha256Hex(token)))
    .get();
  return liveApiSession(ctx, row);
}

/** The session of a row read by its token hash, unless expired; refreshes its idle timer (throttled). */
export async function liveApiSession(
  ctx: DomainContext,
  row: ApiSessionRow | undefined,
): Promise<ApiSessionRow | undefined> {
  const now = ctx.now();
  if (!row || row.expiresAt <= now) return undefined;
  if (now - row.lastActivityAt >= TOUCH_EVERY_MS) {
    row.lastActivityAt = now;
    row.expiresAt = now + SESSION_IDLE_MS;
    await ctx.db
      .update(apiSessions)
      .set({ lastActivityAt: now, expiresAt: row.expiresAt })
      .where(eq(apiSessions.id, row.id))
      .run();
  }
  return row;
}

/** Marks the session's MFA done; both factors passed, so the lockout counters are cleared now. */
export async function completeSessionMfa(ctx: DomainContext, session: ApiSessionRow): Promise<void> {
  await commitAudited(
    ctx,
    [
      ctx.db.update(apiSessions).set({ mfaComplete: true, updatedAt: ctx.now() }).where(eq(apiSessions.id, session.id)),
      ctx.db
        .update(identities)
        .set({ failedLogins: 0, lockedUntil: null })
        .where(eq(identities.id, session.identityId)),
    ],
    { action: "auth.mfa", targetType: "identity", targetId: session.identityId },
  );
}

export async function deleteApiSession(ctx: DomainContext, session: ApiSessionRow): Promise<void> {
  await commitAudited(ctx, [ctx.db.delete(apiSessions).where(eq(apiSessions.id, session.id))], {
    action: "auth.logout",
    targetType: "identity",
    targetId: session.identityId,
  });
}

/** Cron: remove sessions idle past their timeout. */
export async function pruneApiSessions(ctx: DomainContext): Promise<void> {
  await ctx.db.delete(apiSessions).where(lte(apiSessions.expiresAt, ctx.now())).run();
}
