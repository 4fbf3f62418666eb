import { certificateJwk, type JWK, unverifiedClaims } from "@fleetgate/auth";
import { and, asc, eq } from "drizzle-orm";
import { audit, commitAudited } from "../audit/audit.service";
import { verifyExternalJwt } from "../external-jwt/verify";
import type { IdentityRow } from "../identity/users.service";
import { identities, zitiAuthPolicies, zitiExternalJwtSigners, zitiIdentityAuthPolicies } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { ssoPolicy } from "../sso/sso.service";

export type ExternalJwtSignerRow = typeof zitiExternalJwtSigners.$inferSelect;

/** The enabled signers an SDK may offer its user (`GET /external-jwt-signers`), by name. */
export async function listEnabledExternalJwtSigners(ctx: DomainContext): Promise<ExternalJwtSignerRow[]> {
  return ctx.db
    .select()
    .from(zitiExternalJwtSigners)
    .where(eq(zitiExternalJwtSigners.enabled, true))
    .orderBy(asc(zitiExternalJwtSigners.name))
    .all();
}

/** Sets (or with null clears) the auth policy of an identity (audited). */
export async function setIdentityAuthPolicy(
  ctx: DomainContext,
  identityId: string,
  authPolicyId: string | null,
): Promise<void> {
  const found = await ctx.db.select({ id: identities.id }).from(identities).where(eq(identities.id, identityId)).get();
  if (!found) throw new DomainError("common.not_found", "Identity not found");
  if (authPolicyId !== null) {
    const policy = await ctx.db
      .select({ id: zitiAuthPolicies.id })
      .from(zitiAuthPolicies)
      .where(eq(zitiAuthPolicies.id, authPolicyId))
      .get();
    if (!policy) throw new DomainError("common.validation", "authPolicyId does not exist");
  }
  const statement =
    authPolicyId === null
      ? ctx.db.delete(zitiIdentityAuthPolicies).where(eq(zitiIdentityAuthPolicies.identityId, identityId))
      : ctx.db
          .insert(zitiIdentityAuthPolicies)
          .values({ identityId, authPolicyId })
          .onConflictDoUpdate({ target: zitiIdentityAuthPolicies.identityId, set: { authPolicyId } });
  await commitAudited(ctx, [statement], {
    action: "ziti.identity.auth_policy",
    targetType: "identity",
    targetId: identityId,
    detail: { authPolicyId },
  });
}

/** The auth policy id of an identity, or null for the default policy. */
export async function identityAuthPolicyId(ctx: DomainContext, identityId: string): Promise<string | null> {
  const row = await ctx.db
    .select({ id: zitiIdentityAuthPolicies.authPolicyId })
    .from(zitiIdentityAuthPolicies)
    .where(eq(zitiIdentityAuthPolicies.identityId, identityId))
    .get();
  return row?.id ?? null;
}

/** Whether the identity's auth policy lets `signerId` authenticate it (the default policy allows any signer). */
async function policyAllows(ctx: DomainContext, identityId: string, signerId: string): Promise<boolean> {
  const row = await ctx.db
    .select({ allowed: zitiAuthPolicies.extJwtAllowed, signers: zitiAuthPolicies.extJwtAllowedSigners })
    .from(zitiIdentityAuthPolicies)
    .innerJoin(zitiAuthPolicies, eq(zitiIdentityAuthPolicies.authPolicyId, zitiAuthPolicies.id))
    .where(eq(zitiIdentityAuthPolicies.identityId, identityId))
    .get();
  if (!row) return true;
  return row.allowed && (row.signers.length === 0 || row.signers.includes(signerId));
}

async function refuse(ctx: DomainContext, reason: string, detail: Record<string, unknown> = {}): Promise<never> {
  await audit(ctx, { action: "auth.login", outcome: "failure", detail: { method: "ext-jwt", reason, ...detail } });
  throw new DomainError("auth.invalid_credentials", { message: "The authentication request failed", reason });
}

/**
 * `POST /authenticate?method=ext-jwt`: the bearer JWT's `iss` selects an
 * enabled signer; the shared verifier checks signature (JWKS or pinned
 * certificate), `iss`, `aud` and times; the claim named by `claimsProperty`
 * is the identity's `externalId` (`useExternalId`) or its id; the identity
 * must be enabled and its auth policy must allow this signer. Every refusal
 * is the same INVALID_AUTH to the client and an audited reason here.
 */
export async function authenticateByExternalJwt(
  ctx: DomainContext,
  token: string | undefined,
): Promise<{ identity: IdentityRow; signer: ExternalJwtSignerRow }> {
  if (!token) return refuse(ctx, "no_bearer_token");
  const unverified = unverifiedClaims(token);
  const iss = typeof unverified?.iss === "string" ? unverified.iss : undefined;
  if (!iss) return refuse(ctx, "no_issuer");
  const signer = await ctx.db
    .select()
    .from(zitiExternalJwtSigners)
    .where(and(eq(zitiExternalJwtSigners.issuer, iss), eq(zitiExternalJwtSigners.enabled, true)))
    .get();
  if (!signer) return refuse(ctx, "unknown_signer");
  let provider: { jwksUrl: string } | { key: JWK };
  if (signer.jwksEndpoint) provider = { jwksUrl: signer.jwksEndpoint };
  else {
    const key = signer.certPem && signer.kid ? await certificateJwk(signer.certPem, signer.kid) : undefined;
    if (!key) return refuse(ctx, "signer_has_no_key", { signerId: signer.id });
    provider = { key };
  }
  const report = await verifyExternalJwt({
    token,
    provider,
    issuer: signer.issuer,
    audience: signer.audience,
    now: ctx.now(),
    policy: ssoPolicy(ctx),
  });
  if (!report.ok || !report.claims) {
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.check);
    return refuse(ctx, "jwt_invalid", { signerId: signer.id, failed });
  }
  const claim = (report.claims as Record<string, unknown>)[signer.claimsProperty];
  if (typeof claim !== "string" || claim === "")
    return refuse(ctx, "claim_missing", { signerId: signer.id, claimsProperty: signer.claimsProperty });
  const identity = await ctx.db
    .select()
    .from(identities)
    .where(signer.useExternalId ? eq(identities.externalId, claim) : eq(identities.id, claim))
    .get();
  if (!identity) return refuse(ctx, "no_such_identity", { signerId: signer.id });
  if (identity.disabled) return refuse(ctx, "identity_disabled", { signerId: signer.id, identityId: identity.id });
  if (!(await policyAllows(ctx, identity.id, signer.id)))
    return refuse(ctx, "auth_policy", { signerId: signer.id, identityId: identity.id });
  await audit(ctx, {
    action: "auth.login",
    targetType: identity.kind === "user" ? "user" : "identity",
    targetId: identity.id,
    detail: { method: "ext-jwt", signerId: signer.id },
  });
  return { identity, signer };
}
