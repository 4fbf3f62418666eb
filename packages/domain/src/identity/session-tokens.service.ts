import { newRefreshToken, sha256Hex, signJwt } from "@fleetgate/auth";
import { and, eq, isNull, min, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { refreshTokens } from "../schema";
import { addressKey } from "../shared/address-key";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { hit } from "../shared/rate-limit";
import { recordLogin } from "./passwords.service";
import { closeLiveSockets, familySession } from "./session-revocation";
import { ACCESS_TOKEN_TTL, activeSigningKey } from "./signing-keys.service";
import { findIdentity, type IdentityRow } from "./users.service";

/** Refresh tokens slide: each use issues a new one valid for another hour. */
export const REFRESH_TTL_MS = 60 * 60 * 1000;
/** A refresh family (one login) ends 12 hours after the login, however often it is refreshed. */
export const REFRESH_FAMILY_MAX_MS = 12 * 60 * 60 * 1000;

/** `aud` of access tokens: the native API of this deployment. */
export const accessAudience = (issuer: string) => `${issuer}/api/v1`;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  identity: IdentityRow;
}

/**
 * Signs a 900 s access JWT (EdDSA, real kid, iss/aud). `t` carries the issue
 * time in ms for revocation checks; `sid` the refresh family (sign-in session)
 * it belongs to: ending the family (logout, reuse) ends the token and the
 * sockets opened with it.
 */
export async function issueAccessToken(ctx: DomainContext, identity: IdentityRow, familyId: string): Promise<string> {
  const key = await activeSigningKey(ctx);
  return signJwt(
    key.privateJwk,
    key.kid,
    key.alg,
    { role: identity.role, username: identity.name, kind: identity.kind, t: ctx.now(), sid: familyId },
    { issuer: ctx.issuer, audience: accessAudience(ctx.issuer), ttlSeconds: ACCESS_TOKEN_TTL, subject: identity.id },
  );
}

function refreshRow(ctx: DomainContext, identityId: string, familyId: string, tokenHash: string) {
  const now = ctx.now();
  return ctx.db
    .insert(refreshTokens)
    .values({ id: newId(), familyId, identityId, tokenHash, expiresAt: now + REFRESH_TTL_MS, createdAt: now });
}

const SUCCESSOR_REFUSED = "NOT NULL constraint failed: refresh_tokens.token_hash";

const errorText = (err: unknown): string => {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) parts.push(e.message);
  return parts.join(" | ");
};

/**
 * The rotated token's successor, inserted only while its family has no revoked
 * token and is younger than REFRESH_FAMILY_MAX_MS — checked inside the commit,
 * so a reuse detected by a concurrent request (which revokes the family) is
 * never undone by this insert. Otherwise the hash is NULL and the batch fails.
 */
function successorRow(ctx: DomainContext, identityId: string, familyId: string, tokenHash: string) {
  const now = ctx.now();
  return ctx.db.insert(refreshTokens).values({
    id: newId(),
    familyId,
    identityId,
    tokenHash: sql`(SELECT ${tokenHash} WHERE NOT EXISTS (SELECT 1 FROM ${refreshTokens} WHERE ${refreshTokens.familyId} = ${familyId} AND ${refreshTokens.revokedAt} IS NOT NULL) AND (SELECT min(${refreshTokens.createdAt}) FROM ${refreshTokens} WHERE ${refreshTokens.familyId} = ${familyId}) > ${now - REFRESH_FAMILY_MAX_MS})`,
    expiresAt: now + REFRESH_TTL_MS,
    createdAt: now,
  });
}

/** After a successful login: a new token family, recorded with the login's audit entry. */
export async function startSession(ctx: DomainContext, identity: IdentityRow, method: string): Promise<TokenPair> {
  const refreshToken = newRefreshToken();
  const tokenHash = await sha256Hex(refreshToken);
  const familyId = newId();
  await recordLogin(ctx, identity, method, [refreshRow(ctx, identity.id, familyId, tokenHash)]);
  return {
    accessToken: await issueAccessToken(ctx, identity, familyId),
    refreshToken,
    expiresIn: ACCESS_TOKEN_TTL,
    identity,
  };
}

/**
 * Rotates a refresh token. The old token is claimed with a conditional UPDATE,
 * so of two concurrent uses exactly one wins; presenting a token that was
 * already rotated is reuse (theft signal): the whole family is revoked.
 */
export async function refresh(ctx: DomainContext, presented: string): Promise<TokenPair> {
  await hit(ctx, `refresh:ip:${addressKey(ctx.sourceIp)}`, 60, 60);
  if (!/^[0-9a-f]{64}$/.test(presented)) throw new DomainError("auth.invalid_refresh_token");
  const tokenHash = await sha256Hex(presented);
  const row = await ctx.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).get();
  if (!row || row.revokedAt !== null || row.expiresAt <= ctx.now()) throw new DomainError("auth.invalid_refresh_token");
  const now = ctx.now();
  const family = await ctx.db
    .select({ startedAt: min(refreshTokens.createdAt) })
    .from(refreshTokens)
    .where(eq(refreshTokens.familyId, row.familyId))
    .get();
  if ((family?.startedAt ?? 0) <= now - REFRESH_FAMILY_MAX_MS) throw new DomainError("auth.invalid_refresh_token");
  const claimed = await ctx.db
    .update(refreshTokens)
    .set({ rotatedAt: now })
    .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)))
    .run();
  if (claimed.meta.changes !== 1) {
    await commitAudited(
      ctx,
      [ctx.db.update(refreshTokens).set({ revokedAt: now }).where(eq(refreshTokens.familyId, row.familyId))],
      {
        action: "auth.refresh_reuse",
        targetType: "user",
        targetId: row.identityId,
        outcome: "denied",
        detail: { family: row.familyId },
      },
    );
    await closeLiveSockets(ctx, { sessionId: familySession(row.familyId) }, "session ended");
    throw new DomainError("auth.invalid_refresh_token");
  }
  const identity = await findIdentity(ctx, row.identityId);
  if (!identity) throw new DomainError("auth.invalid_refresh_token");
  if (identity.disabled) {
    await commitAudited(
      ctx,
      [ctx.db.update(refreshTokens).set({ revokedAt: now }).where(eq(refreshTokens.identityId, identity.id))],
      {
        action: "auth.refresh",
        targetType: "user",
        targetId: identity.id,
        outcome: "denied",
        detail: { reason: "account_disabled" },
      },
    );
    throw new DomainError("auth.account_disabled");
  }
  const next = newRefreshToken();
  try {
    await commitAudited(ctx, [successorRow(ctx, identity.id, row.familyId, await sha256Hex(next))], {
      action: "auth.refresh",
      targetType: "user",
      targetId: identity.id,
    });
  } catch (err) {
    if (errorText(err).includes(SUCCESSOR_REFUSED)) throw new DomainError("auth.invalid_refresh_token");
    throw err;
  }
  return {
    accessToken: await issueAccessToken(ctx, identity, row.familyId),
    refreshToken: next,
    expiresIn: ACCESS_TOKEN_TTL,
    identity,
  };
}

/** Ends the refresh family of `presented`. Unknown tokens are not an error (nothing to reveal). */
export async function logout(ctx: DomainContext, presented: string): Promise<void> {
  if (!/^[0-9a-f]{64}$/.test(presented)) return;
  const row = await ctx.db
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, await sha256Hex(presented)))
    .get();
  if (!row) return;
  await commitAudited(
    ctx,
    [ctx.db.update(refreshTokens).set({ revokedAt: ctx.now() }).where(eq(refreshTokens.familyId, row.familyId))],
    { action: "auth.logout", targetType: "user", targetId: row.identityId },
  );
  await closeLiveSockets(ctx, { sessionId: familySession(row.familyId) }, "session ended");
}
