import { checkPasswordPolicy, hashPassword } from "@fleetgate/auth";
import { and, asc, eq, isNull, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { commitAudited } from "../audit/audit.service";
import type { Role } from "../principal";
import { apiSessions, apiTokens, authenticators, identities, identityGroups, mfa, refreshTokens } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { mfaStateReadWith } from "./mfa-state";
import { apiTokenRevocationStatement, closeLiveSockets } from "./session-revocation";

export type IdentityRow = typeof identities.$inferSelect;

/** What faces may show about a person. Never includes hashes or secrets. */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  authProvider: string;
  mfaEnabled: boolean;
  isActive: boolean;
  forcePasswordReset: boolean;
  lastLoginAt: number | null;
  createdAt: number;
  updatedAt: number;
  kind: IdentityRow["kind"];
}

export function toUserView(row: IdentityRow, mfaEnabled: boolean): UserView {
  return {
    id: row.id,
    username: row.name,
    displayName: row.displayName,
    email: row.email,
    role: row.role,
    authProvider: row.authProvider,
    mfaEnabled,
    isActive: !row.disabled,
    forcePasswordReset: row.forcePasswordReset,
    lastLoginAt: row.lastLoginAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    kind: row.kind,
  };
}

async function mfaEnabled(ctx: DomainContext, id: string): Promise<boolean> {
  const row = await ctx.db
    .select({ id: mfa.identityId })
    .from(mfa)
    .where(and(eq(mfa.identityId, id), eq(mfa.verified, true)))
    .get();
  return row !== undefined;
}

/** People (kind `user`), ordered by username. */
export async function listUsers(ctx: DomainContext): Promise<UserView[]> {
  const rows = await ctx.db
    .select()
    .from(identities)
    .where(eq(identities.kind, "user"))
    .orderBy(asc(identities.name))
    .all();
  // A join, not a list of every user's id: D1 binds at most 100 parameters per statement.
  const mfaRows = await ctx.db
    .select({ id: mfa.identityId })
    .from(mfa)
    .innerJoin(identities, eq(identities.id, mfa.identityId))
    .where(and(eq(identities.kind, "user"), eq(mfa.verified, true)))
    .all();
  const withMfa = new Set(mfaRows.map((r) => r.id));
  return rows.map((r) => toUserView(r, withMfa.has(r.id)));
}

export async function findIdentity(ctx: DomainContext, id: string): Promise<IdentityRow | undefined> {
  return ctx.db.select().from(identities).where(eq(identities.id, id)).get();
}

/** A person by id: the identity row and its MFA state in one D1 round trip (one batch). */
export async function getUser(ctx: DomainContext, id: string): Promise<UserView> {
  const [rows, verifiedMfa] = await ctx.db.batch([
    ctx.db.select().from(identities).where(eq(identities.id, id)).limit(1),
    ctx.db
      .select({ id: mfa.identityId })
      .from(mfa)
      .where(and(eq(mfa.identityId, id), eq(mfa.verified, true)))
      .limit(1),
  ]);
  const row = rows[0];
  if (!row || row.kind !== "user") throw new DomainError("common.not_found", "User not found");
  return toUserView(row, verifiedMfa.length > 0);
}

/**
 * The caller's own view from the identity row its authentication read on this
 * request: no D1 read when the MFA state came with that row (access tokens,
 * mfa-state.ts), else only the MFA state is read.
 */
export async function ownUserView(ctx: DomainContext, row: IdentityRow): Promise<UserView> {
  if (row.kind !== "user") throw new DomainError("common.not_found", "User not found");
  return toUserView(row, mfaStateReadWith(row) ?? (await mfaEnabled(ctx, row.id)));
}

export interface NewUser {
  username: string;
  displayName?: string;
  email?: string | null;
  role: Role;
  password?: string;
  forcePasswordReset?: boolean;
  isDefaultAdmin?: boolean;
}

/** Creates a person with a `updb` authenticator (when a password is given), audited. */
export async function createUser(ctx: DomainContext, input: NewUser): Promise<string> {
  if (input.password !== undefined) {
    const weak = checkPasswordPolicy(input.password);
    if (weak) throw new DomainError("auth.weak_password", weak);
  }
  const clash = await ctx.db
    .select({ id: identities.id })
    .from(identities)
    .where(
      or(
        and(eq(identities.kind, "user"), eq(identities.name, input.username)),
        input.email ? eq(identities.email, input.email) : sql`0`,
      ),
    )
    .get();
  const authClash = await ctx.db
    .select({ id: authenticators.id })
    .from(authenticators)
    .where(eq(authenticators.username, input.username))
    .get();
  if (clash || authClash) throw new DomainError("common.conflict", "Username or email already exists");
  const id = newId();
  const now = ctx.now();
  const passwordHash = input.password !== undefined ? await hashPassword(input.password, ctx.pepper) : null;
  const stmts = [
    ctx.db.insert(identities).values({
      id,
      kind: "user",
      name: input.username,
      displayName: input.displayName ?? "",
      email: input.email ?? null,
      role: input.role,
      forcePasswordReset: input.forcePasswordReset ?? false,
      isDefaultAdmin: input.isDefaultAdmin ?? false,
      createdBy: ctx.actor?.id ?? null,
      createdAt: now,
      updatedAt: now,
    }),
  ];
  const authStmt = passwordHash
    ? [
        ctx.db.insert(authenticators).values({
          id: newId(),
          identityId: id,
          method: "updb",
          username: input.username,
          passwordHash,
          createdAt: now,
          updatedAt: now,
        }),
      ]
    : [];
  try {
    await commitAudited(ctx, [...stmts, ...authStmt], {
      action: "user.create",
      targetType: "user",
      targetId: id,
      detail: { username: input.username, role: input.role },
    });
  } catch (err) {
    if (/UNIQUE constraint failed/i.test(String(err)))
      throw new DomainError("common.conflict", "Username or email already exists");
    throw err;
  }
  return id;
}

export interface UserPatch {
  displayName?: string;
  email?: string | null;
  role?: Role;
  isActive?: boolean;
  forcePasswordReset?: boolean;
}

/** Updates a person. Disabling also invalidates every session and access token at once. */
export async function updateUser(ctx: DomainContext, id: string, patch: UserPatch): Promise<void> {
  const row = await findIdentity(ctx, id);
  if (!row || row.kind !== "user") throw new DomainError("common.not_found", "User not found");
  const now = ctx.now();
  const set: Partial<IdentityRow> = { updatedAt: now };
  if (patch.displayName !== undefined) set.displayName = patch.displayName;
  if (patch.email !== undefined) set.email = patch.email;
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.forcePasswordReset !== undefined) set.forcePasswordReset = patch.forcePasswordReset;
  if (patch.isActive !== undefined) {
    set.disabled = !patch.isActive;
    set.disabledAt = patch.isActive ? null : now;
    if (!patch.isActive) set.sessionsValidAfter = now;
  }
  const stmts: BatchItem<"sqlite">[] = [ctx.db.update(identities).set(set).where(eq(identities.id, id))];
  if (patch.isActive === false) stmts.push(...revocationStatements(ctx, id, now));
  try {
    await commitAudited(ctx, stmts, {
      action: "user.update",
      targetType: "user",
      targetId: id,
      detail: { fields: Object.keys(patch) },
    });
  } catch (err) {
    if (/UNIQUE constraint failed/i.test(String(err)))
      throw new DomainError("common.conflict", "Username or email already exists");
    throw err;
  }
  if (patch.isActive === false) await closeDashboards(ctx, id, "user disabled");
  else if (patch.role !== undefined && patch.role !== row.role) await closeDashboards(ctx, id, "role changed");
}

/** Closes the live dashboard sockets of an identity (finding 3): no stream stays open under old rights. */
async function closeDashboards(ctx: DomainContext, identityId: string, reason: string): Promise<void> {
  await closeLiveSockets(ctx, { identityId }, reason);
}

export async function deleteUser(ctx: DomainContext, id: string): Promise<void> {
  if (ctx.actor?.id === id) throw new DomainError("identity.cannot_delete_self");
  const row = await findIdentity(ctx, id);
  if (!row || row.kind !== "user") throw new DomainError("common.not_found", "User not found");
  await commitAudited(ctx, [ctx.db.delete(identities).where(eq(identities.id, id))], {
    action: "user.delete",
    targetType: "user",
    targetId: id,
    detail: { username: row.name },
  });
  await closeDashboards(ctx, id, "user deleted");
}

/** Statements that end every session and API token of an identity (refresh families, Ziti sessions, tokens). */
function revocationStatements(ctx: DomainContext, identityId: string, now: number) {
  return [
    ctx.db
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.identityId, identityId), isNull(refreshTokens.revokedAt))),
    ctx.db.delete(apiSessions).where(eq(apiSessions.identityId, identityId)),
    apiTokenRevocationStatement(ctx, identityId),
  ];
}

/** Revokes all sessions, outstanding access tokens and API tokens of a user; returns how many ended. */
export async function revokeSessions(ctx: DomainContext, id: string): Promise<number> {
  const row = await findIdentity(ctx, id);
  if (!row) throw new DomainError("common.not_found", "User not found");
  const now = ctx.now();
  const live = await ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.identityId, id), isNull(refreshTokens.revokedAt), isNull(refreshTokens.rotatedAt)))
    .get();
  const sessions = await ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(apiSessions)
    .where(eq(apiSessions.identityId, id))
    .get();
  const tokens = await ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(apiTokens)
    .where(eq(apiTokens.identityId, id))
    .get();
  const count = (live?.n ?? 0) + (sessions?.n ?? 0) + (tokens?.n ?? 0);
  await commitAudited(
    ctx,
    [
      ctx.db.update(identities).set({ sessionsValidAfter: now, updatedAt: now }).where(eq(identities.id, id)),
      ...revocationStatements(ctx, id, now),
    ],
    { action: "user.revoke_sessions", targetType: "user", targetId: id, detail: { count } },
  );
  await closeDashboards(ctx, id, "sessions revoked");
  return count;
}

/** Group ids of an identity (for the principal). */
export async function groupIdsOf(ctx: DomainContext, identityId: string): Promise<string[]> {
  const rows = await ctx.db
    .select({ g: identityGroups.groupId })
    .from(identityGroups)
    .where(eq(identityGroups.identityId, identityId))
    .all();
  return rows.map((r) => r.g);
}
