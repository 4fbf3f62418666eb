import { eq } from "drizzle-orm";
import { audit, commitAudited } from "../audit/audit.service";
import { apiSessions } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { bump, hit } from "../shared/rate-limit";
import type { ApiSessionRow } from "./api-sessions.service";
import { checkSecondFactor, mfaRecord } from "./mfa.service";
import { recordAuthFailure } from "./passwords.service";
import { findIdentity } from "./users.service";

/** Wrong second-factor codes one partial session may present before it is ended. */
export const SESSION_MFA_ATTEMPTS = 3;
/** How long a partial session's failure count is remembered (its idle timeout). */
const SESSION_MFA_WINDOW_S = 30 * 60;

/**
 * One second-factor attempt by an identity, on any face. A locked account is
 * refused before the code is looked at; a wrong code counts into the same
 * lockout as a wrong password (5 consecutive failures → 30 min), so TOTP's
 * 10^6 space cannot be searched at the per-minute rate limit alone.
 */
export async function attemptSecondFactor(ctx: DomainContext, identityId: string, code: string): Promise<boolean> {
  const identity = await findIdentity(ctx, identityId);
  if (!identity || identity.disabled) throw new DomainError("auth.unauthorized");
  if (identity.lockedUntil !== null && identity.lockedUntil > ctx.now()) {
    await audit(ctx, {
      action: "auth.mfa",
      targetType: "identity",
      targetId: identityId,
      outcome: "denied",
      detail: { reason: "account_locked" },
    });
    throw new DomainError("auth.account_locked");
  }
  await hit(ctx, `mfa:user:${identityId}`, 10, 60);
  if (await checkSecondFactor(ctx, identityId, code)) return true;
  await recordAuthFailure(ctx, identity, "invalid_code");
  return false;
}

/**
 * Ziti `POST /authenticate/mfa` on a partial session. A wrong code counts into
 * the account lockout; after {@link SESSION_MFA_ATTEMPTS} wrong codes, or when
 * the account is locked, the partial session is deleted (the client must sign
 * in with the password again, which is itself rate limited and locked out).
 * Throws `invalid_code`, `account_locked` or `unauthorized`.
 */
export async function attemptSessionMfa(ctx: DomainContext, session: ApiSessionRow, code: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await attemptSecondFactor(ctx, session.identityId, code);
  } catch (err) {
    if (err instanceof DomainError && err.code !== "common.rate_limited") await endPartialSession(ctx, session);
    throw err;
  }
  if (ok) return;
  const failures = await bump(ctx, `mfa:session:${session.id}`, SESSION_MFA_WINDOW_S);
  if (failures >= SESSION_MFA_ATTEMPTS) await endPartialSession(ctx, session);
  throw new DomainError("mfa.code_refused");
}

async function endPartialSession(ctx: DomainContext, session: ApiSessionRow) {
  await commitAudited(ctx, [ctx.db.delete(apiSessions).where(eq(apiSessions.id, session.id))], {
    action: "auth.mfa_session_end",
    targetType: "identity",
    targetId: session.identityId,
    outcome: "denied",
  });
}

/** Verifies a code for a sensitive action (Ziti `mfa-validation-code`); failures count into the lockout. */
export async function requireMfaCode(ctx: DomainContext, identityId: string, code: string | undefined) {
  const row = await mfaRecord(ctx, identityId);
  if (!row) throw new DomainError("mfa.not_enrolled");
  if (!row.verified) return;
  if (!code || !(await attemptSecondFactor(ctx, identityId, code))) throw new DomainError("mfa.code_refused");
}
