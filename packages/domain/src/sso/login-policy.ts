import { audit } from "../audit/audit.service";
import type { IdentityRow } from "../identity/users.service";
import { cachedSettings } from "../settings/settings.service";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";

export const SSO_ONLY_MESSAGE = "Password login is disabled for this account; sign in with SSO";
export const MFA_POLICY_MESSAGE = "MFA is required for this account; enroll MFA before signing in with a password";

/**
 * The `sso_policy` rules for password logins, after the password (and, when
 * enrolled, the TOTP code) was accepted: with `sso_only`, only admins may log
 * in locally (break-glass); with `mfa_required`, admins (or everyone) must
 * have MFA enrolled. Refusals are audited and answered 403 `forbidden`.
 */
export async function enforceLocalLoginPolicy(
  ctx: DomainContext,
  identity: IdentityRow,
  mfaEnabled: boolean,
): Promise<void> {
  const policy = (await cachedSettings(ctx)).sso_policy;
  let refusal: string | undefined;
  if (policy.sso_only && identity.role !== "admin") refusal = SSO_ONLY_MESSAGE;
  else if (
    !mfaEnabled &&
    (policy.mfa_required === "everyone" || (policy.mfa_required === "admins" && identity.role === "admin"))
  )
    refusal = MFA_POLICY_MESSAGE;
  if (!refusal) return;
  await audit(ctx, {
    action: "auth.login",
    targetType: "user",
    targetId: identity.id,
    outcome: "denied",
    detail: { reason: refusal === SSO_ONLY_MESSAGE ? "sso_only" : "mfa_required" },
  });
  throw new DomainError("auth.forbidden", refusal);
}
