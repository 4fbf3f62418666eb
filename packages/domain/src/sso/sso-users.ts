import { and, eq, inArray, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { reauthoriseJobStreams } from "../fleet/job-stream";
import { findIdentity, type IdentityRow } from "../identity/users.service";
import { groups, identities, identityGroups } from "../schema";
import type { SettingsValues } from "../settings/settings.service";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";

/** `auth_provider` of SSO users, from `oidc.provider_type` (linux-patch-manager.md §3.4). */
export const AUTH_PROVIDER: Record<SettingsValues["oidc"]["provider_type"], string> = {
  keycloak: "keycloak",
  azure: "azure_sso",
  custom: "oidc",
};

export interface SsoClaims {
  subject: string;
  email: string;
  emailVerified: boolean | undefined;
  name: string;
  preferredUsername: string;
  groups: string[];
}

export type SsoUserResult =
  | { ok: true; identity: IdentityRow; created: boolean }
  | { ok: false; error: "account_disabled" | "sso_error"; description: string };

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

/**
 * Maps ID-token claims to a person (the reference's order, made safer):
 * 1. the user already linked to this provider and subject;
 * 2. else the user with this email — linked now, but only when the provider
 *    does not say the email is unverified and the user is not linked to
 *    another subject (no account takeover through an IdP-chosen email);
 * 3. else a new user with the configured role (default reporter).
 * Disabled users are refused. Group names from the configured claim that
 * exist in Fleetgate are joined (never created, never removed).
 */
export async function mapSsoUser(ctx: DomainContext, s: SettingsValues, c: SsoClaims): Promise<SsoUserResult> {
  const provider = AUTH_PROVIDER[s.oidc.provider_type];
  const email = c.email.toLowerCase();
  const now = ctx.now();
  let row = await ctx.db
    .select()
    .from(identities)
    .where(
      and(eq(identities.kind, "user"), eq(identities.authProvider, provider), eq(identities.externalId, c.subject)),
    )
    .get();
  let created = false;
  if (!row) {
    const byEmail = await ctx.db
      .select()
      .from(identities)
      .where(and(eq(identities.kind, "user"), sql`lower(${identities.email}) = ${email}`))
      .get();
    if (byEmail) {
      if (c.emailVerified === false)
        return { ok: false, error: "sso_error", description: "The identity provider has not verified this email" };
      if (byEmail.externalId !== null && byEmail.externalId !== c.subject)
        return { ok: false, error: "sso_error", description: "This email is linked to another SSO account" };
      if (byEmail.disabled) return { ok: false, error: "account_disabled", description: "Account is disabled" };
      if (byEmail.externalId === null) {
        await commitAudited(
          ctx,
          [
            ctx.db
              .update(identities)
              .set({ externalId: c.subject, updatedAt: now })
              .where(eq(identities.id, byEmail.id)),
          ],
          { action: "user.sso_link", targetType: "user", targetId: byEmail.id, detail: { provider } },
        );
      }
      row = byEmail;
    } else {
      const id = newId();
      const base = clip(c.preferredUsername || email, 100);
      const taken = await ctx.db
        .select({ id: identities.id })
        .from(identities)
        .where(and(eq(identities.kind, "user"), eq(identities.name, base)))
        .get();
      const username = taken ? clip(email, 100) : base;
      try {
        await commitAudited(
          ctx,
          [
            ctx.db.insert(identities).values({
              id,
              kind: "user",
              name: username,
              displayName: clip(c.name, 200),
              email,
              role: s.sso_policy.created_role,
              authProvider: provider,
              externalId: c.subject,
              createdAt: now,
              updatedAt: now,
            }),
          ],
          {
            action: "user.create",
            targetType: "user",
            targetId: id,
            detail: { username, role: s.sso_policy.created_role, via: "sso", provider },
          },
        );
      } catch (err) {
        if (/UNIQUE constraint failed/i.test(String(err)))
          return { ok: false, error: "sso_error", description: "A user with this username already exists" };
        throw err;
      }
      row = await findIdentity(ctx, id);
      if (!row) return { ok: false, error: "sso_error", description: "User could not be created" };
      created = true;
    }
  }
  if (row.disabled) return { ok: false, error: "account_disabled", description: "Account is disabled" };
  if (s.sso_policy.groups_claim && c.groups.length > 0) await joinGroups(ctx, row.id, c.groups);
  return { ok: true, identity: row, created };
}

async function joinGroups(ctx: DomainContext, identityId: string, names: string[]): Promise<void> {
  const wanted = [...new Set(names)].slice(0, 100);
  const found = await ctx.db.select({ id: groups.id }).from(groups).where(inArray(groups.name, wanted)).all();
  if (found.length === 0) return;
  const have = await ctx.db
    .select({ groupId: identityGroups.groupId })
    .from(identityGroups)
    .where(eq(identityGroups.identityId, identityId))
    .all();
  const missing = found.filter((g) => !have.some((h) => h.groupId === g.id));
  if (missing.length === 0) return;
  await commitAudited(
    ctx,
    missing.map((g) => ctx.db.insert(identityGroups).values({ groupId: g.id, identityId }).onConflictDoNothing()),
    {
      action: "group.add_member",
      targetType: "user",
      targetId: identityId,
      detail: { groups: missing.map((g) => g.id), via: "sso" },
    },
  );
  await reauthoriseJobStreams(ctx, identityId, "groups changed");
}
