import { verifyPassword } from "@fleetgate/auth";
import { audit } from "../audit/audit.service";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { hit } from "../shared/rate-limit";
import { enableMfaWithSecret } from "./mfa.service";
import { updbOf } from "./passwords.service";

/**
 * Native `POST /auth/mfa/verify`: enrolling a second factor asks for the
 * password again (issue 11), so a stolen access token alone cannot bind an
 * attacker's authenticator to the account. The password is checked before the
 * code (a refused attempt spends no TOTP step), shares the password-proof rate
 * limit with `DELETE /auth/mfa` and a password change, and a refusal is audited.
 * An account without a password (SSO only) cannot enrol here.
 */
export async function enrolMfaWithPassword(
  ctx: DomainContext,
  identityId: string,
  input: { password: string; secret: string; code: string },
): Promise<string[]> {
  await hit(ctx, `password:user:${identityId}`, 10, 60);
  await hit(ctx, `mfa:user:${identityId}`, 10, 60);
  const auth = await updbOf(ctx, identityId);
  const ok = auth?.passwordHash ? await verifyPassword(input.password, auth.passwordHash, ctx.pepper) : false;
  if (!ok) {
    await audit(ctx, {
      action: "mfa.enable",
      targetType: "identity",
      targetId: identityId,
      outcome: "failure",
      detail: { reason: "password" },
    });
    throw new DomainError("auth.invalid_password", { reason: "mfa enrolment: current password refused" });
  }
  return enableMfaWithSecret(ctx, identityId, input.secret, input.code);
}
