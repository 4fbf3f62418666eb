import { burnPasswordCheck, checkPasswordPolicy, hashPassword, verifyPassword } from "@fleetgate/auth";
import { and, eq, sql } from "drizzle-orm";
import { audit, commitAudited } from "../audit/audit.service";
import { authenticators, identities } from "../schema";
import { addressKey } from "../shared/address-key";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { hit } from "../shared/rate-limit";
import { checkSecondFactor, isMfaEnabled } from "./mfa.service";
import { closeLiveSockets, endSessionsStatements } from "./session-revocation";
import type { IdentityRow } from "./users.service";

/** 5 consecutive failures lock the account for 30 minutes (linux-patch-manager.md §3.1). */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 30 * 60 * 1000;

export type UpdbAuthenticator = typeof authenticators.$inferSelect;

async function updbByUsername(ctx: DomainContext, username: string) {
  const row = await ctx.db
    .select()
    .from(authenticators)
    .innerJoin(identities, eq(authenticators.identityId, identities.id))
    .where(and(eq(authenticators.method, "updb"), eq(authenticators.username, username)))
    .get();
  return row ? { auth: row.authenticators, identity: row.identities } : undefined;
}

export async function updbOf(ctx: DomainContext, identityId: string) {
  return ctx.db
    .select()
    .from(authenticators)
    .where(and(eq(authenticators.identityId, identityId), eq(authenticators.method, "updb")))
    .get();
}

export interface PasswordCheck {
  identity: IdentityRow;
  authenticatorId: string;
  mfaEnabled: boolean;
}

/**
 * First factor, shared by every face. Rate-limited per IP and per account; a
 * locked account is refused without hashing; an unknown username costs the
 * same PBKDF2 work as a wrong password. `secondFactor`:
 *  - "inline": MFA users must pass `totpCode` now (native login);
 *  - "deferred": MFA is completed later on the session (Ziti authQueries).
 */
export async function checkPassword(
  ctx: DomainContext,
  username: string,
  password: string,
  opts: {
    secondFactor: "inline" | "deferred";
    totpCode?: string;
    allowForcedReset?: boolean;
    /** Force-change: only an account an admin marked for reset may change its password this way. */
    requireForcedReset?: boolean;
  },
): Promise<PasswordCheck> {
  await hit(ctx, `login:ip:${addressKey(ctx.sourceIp)}`, 30, 60);
  await hit(ctx, `login:user:${username.toLowerCase()}`, 10, 60);
  const found = await updbByUsername(ctx, username);
  const now = ctx.now();
  if (!found?.auth.passwordHash) {
    await burnPasswordCheck(ctx.pepper);
    await audit(ctx, { action: "auth.login", outcome: "failure", detail: { username, reason: "invalid_credentials" } });
    throw new DomainError("auth.invalid_credentials");
  }
  const { auth, identity } = found;
  const locked = identity.lockedUntil !== null && identity.lockedUntil > now;
  if (locked) {
    return refuse(ctx, identity, "account_locked");
  }
  const ok = await verifyPassword(password, auth.passwordHash ?? "", ctx.pepper);
  if (!ok) {
    await recordAuthFailure(ctx, identity, "invalid_credentials");
    throw new DomainError("auth.invalid_credentials");
  }
  if (identity.disabled) {
    return refuse(ctx, identity, "account_disabled");
  }
  if (identity.forcePasswordReset && !opts.allowForcedReset) {
    return refuse(ctx, identity, "password_reset_required");
  }
  if (opts.requireForcedReset && !identity.forcePasswordReset) {
    await audit(ctx, {
      action: "user.password_change",
      targetType: "user",
      targetId: identity.id,
      outcome: "denied",
      detail: { reason: "no_forced_reset" },
    });
    throw new DomainError("auth.invalid_credentials");
  }
  const mfaEnabled = await isMfaEnabled(ctx, identity.id);
  if (mfaEnabled && opts.secondFactor === "inline") {
    if (!opts.totpCode) throw new DomainError("auth.mfa_required");
    await hit(ctx, `mfa:user:${identity.id}`, 10, 60);
    if (!(await checkSecondFactor(ctx, identity.id, opts.totpCode))) {
      await recordAuthFailure(ctx, identity, "invalid_code");
      throw new DomainError("auth.invalid_credentials");
    }
  }
  return { identity, authenticatorId: auth.id, mfaEnabled };
}

/** Records a refused sign-in (no counter change) and throws the refusal. */
async function refuse(
  ctx: DomainContext,
  identity: IdentityRow,
  reason: "account_locked" | "account_disabled" | "password_reset_required",
): Promise<never> {
  await audit(ctx, {
    action: "auth.login",
    targetType: "user",
    targetId: identity.id,
    outcome: "denied",
    detail: { reason },
  });
  throw new DomainError(`auth.${reason}`);
}

/**
 * Counts one failed sign-in factor (password or second factor, on every face)
 * into the account lockout: the fifth consecutive failure locks the account.
 */
export async function recordAuthFailure(ctx: DomainContext, identity: Pick<IdentityRow, "id">, reason: string) {
  // Counted in SQL so concurrent failures are never lost (read-modify-write would undercount).
  const lockUntil = ctx.now() + LOCKOUT_MS;
  await commitAudited(
    ctx,
    [
      ctx.db
        .update(identities)
        .set({
          failedLogins: sql`CASE WHEN ${identities.failedLogins} + 1 >= ${LOCKOUT_THRESHOLD} THEN 0 ELSE ${identities.failedLogins} + 1 END`,
          lockedUntil: sql`CASE WHEN ${identities.failedLogins} + 1 >= ${LOCKOUT_THRESHOLD} THEN ${lockUntil} ELSE ${identities.lockedUntil} END`,
        })
        .where(eq(identities.id, identity.id)),
    ],
    { action: "auth.login", targetType: "user", targetId: identity.id, outcome: "failure", detail: { reason } },
  );
}

/**
 * Records a successful sign-in together with its audit entry and any extra
 * statements. Counters are cleared only when every required factor passed:
 * a password-only step of an MFA identity (`resetCounters: false`) must not
 * wipe the second-factor failures counted so far.
 */
export async function recordLogin(
  ctx: DomainContext,
  identity: IdentityRow,
  method: string,
  extra: Parameters<typeof commitAudited>[1] = [],
  resetCounters = true,
) {
  const now = ctx.now();
  await commitAudited(
    ctx,
    () => [
      ctx.db
        .update(identities)
        .set(resetCounters ? { failedLogins: 0, lockedUntil: null, lastLoginAt: now } : { lastLoginAt: now })
        .where(eq(identities.id, identity.id)),
      ...(typeof extra === "function" ? extra() : extra),
    ],
    { action: "auth.login", targetType: "user", targetId: identity.id, detail: { method } },
  );
}

/** Sets a new password (policy-checked) on the identity's updb authenticator, creating it if missing. */
export async function setPassword(
  ctx: DomainContext,
  identity: IdentityRow,
  newPassword: string,
  opts: { forcePasswordReset: boolean; action: string },
) {
  const weak = checkPasswordPolicy(newPassword);
  if (weak) throw new DomainError("auth.weak_password", weak);
  const hash = await hashPassword(newPassword, ctx.pepper);
  const now = ctx.now();
  const existing = await updbOf(ctx, identity.id);
  const authStmt = existing
    ? ctx.db
        .update(authenticators)
        .set({ passwordHash: hash, updatedAt: now })
        .where(eq(authenticators.id, existing.id))
    : ctx.db.insert(authenticators).values({
        id: newId(),
        identityId: identity.id,
        method: "updb",
        username: identity.name,
        passwordHash: hash,
        createdAt: now,
        updatedAt: now,
      });
  await commitAudited(
    ctx,
    [
      authStmt,
      ctx.db
        .update(identities)
        .set({ forcePasswordReset: opts.forcePasswordReset, failedLogins: 0, lockedUntil: null, updatedAt: now })
        .where(eq(identities.id, identity.id)),
      // Sessions opened with the old password end with it (access JWTs, refresh families, Ziti sessions).
      ...endSessionsStatements(ctx, identity.id, now),
    ],
    { action: opts.action, targetType: "user", targetId: identity.id },
  );
  // …and so do the live sockets opened under them.
  const reason = opts.action === "user.password_reset" ? "password reset" : "password changed";
  await closeLiveSockets(ctx, { identityId: identity.id }, reason);
}

/**
 * Proves the caller's current password for an authenticator update (no change
 * made). A refused proof is an unauthorised update, not a failed sign-in:
 * every refusal but the rate limit reads `auth.invalid_password`.
 */
export async function verifyCurrentPassword(ctx: DomainContext, username: string, password: string): Promise<void> {
  try {
    await checkPassword(ctx, username, password, { secondFactor: "deferred", allowForcedReset: true });
  } catch (err) {
    if (err instanceof DomainError && !err.is("common.rate_limited")) {
      throw new DomainError("auth.invalid_password", { reason: `current password refused: ${err.code}` });
    }
    throw err;
  }
}

/** Changes one's own password after proving the current one. */
export async function changeOwnPassword(ctx: DomainContext, identity: IdentityRow, current: string, next: string) {
  await hit(ctx, `password:user:${identity.id}`, 10, 60);
  const auth = await updbOf(ctx, identity.id);
  const ok = auth?.passwordHash ? await verifyPassword(current, auth.passwordHash, ctx.pepper) : false;
  if (!ok) {
    await audit(ctx, { action: "user.password_change", targetType: "user", targetId: identity.id, outcome: "failure" });
    throw new DomainError("auth.invalid_password");
  }
  await setPassword(ctx, identity, next, { forcePasswordReset: false, action: "user.password_change" });
}
