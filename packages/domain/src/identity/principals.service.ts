import { hashApiToken, parseZtlToken, verifyJwt } from "@fleetgate/auth";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import type { Principal } from "../principal";
import { apiTokens, identities, identityGroups, refreshTokens } from "../schema";
import type { DomainContext } from "../shared/context";
import { isUuid } from "../shared/ids";
import { findApiSession } from "./api-sessions.service";
import { familySession, tokenSession } from "./session-revocation";
import { accessAudience } from "./session-tokens.service";
import { verificationKey } from "./signing-keys.service";
import { groupIdsOf, type IdentityRow } from "./users.service";

/** Why a credential was refused; never shown to clients in detail (CONVENTIONS: don't say which check failed). */
export type CredentialRefusal = "malformed" | "invalid" | "expired" | "disabled" | "revoked";
export type Resolution =
  | { ok: true; principal: Principal; identity: IdentityRow }
  | { ok: false; reason: CredentialRefusal };

async function principalOf(
  ctx: DomainContext,
  identity: IdentityRow,
  credential: Principal["credential"],
  mfaPending = false,
  knownGroups?: string[],
  sessionId?: string,
): Promise<Resolution> {
  if (identity.disabled) return { ok: false, reason: "disabled" };
  return {
    ok: true,
    identity,
    principal: {
      identityId: identity.id,
      kind: identity.kind,
      name: identity.name,
      role: identity.role,
      groups: knownGroups ?? (await groupIdsOf(ctx, identity.id)),
      credential,
      mfaPending,
      ...(sessionId === undefined ? {} : { sessionId }),
    },
  };
}

/** `Authorization: Bearer <access JWT>`: signature (allowlisted alg, known kid), iss, aud, exp, then revocation. */
export async function resolveAccessToken(ctx: DomainContext, token: string): Promise<Resolution> {
  const res = await verifyJwt(token, (kid) => verificationKey(ctx, kid), {
    issuer: ctx.issuer,
    audience: accessAudience(ctx.issuer),
    algorithms: ["EdDSA", "ES256"],
  });
  if (!res.ok) return { ok: false, reason: res.reason === "expired" ? "expired" : "invalid" };
  const sub = typeof res.payload.sub === "string" ? res.payload.sub : "";
  // The sign-in session (refresh family) the token was issued for; a token naming a malformed one is refused.
  const sid = res.payload.sid;
  if (sid !== undefined && (typeof sid !== "string" || !isUuid(sid))) return { ok: false, reason: "invalid" };
  // Identity, role, revocation state, groups and whether the token's session was ended (logout,
  // refresh-token reuse) in one D1 round trip (a batch of three reads).
  const [found, groupRows, endedRows] = await ctx.db.batch([
    ctx.db.select().from(identities).where(eq(identities.id, sub)).limit(1),
    ctx.db.select({ g: identityGroups.groupId }).from(identityGroups).where(eq(identityGroups.identityId, sub)),
    ctx.db
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.familyId, sid ?? ""), isNotNull(refreshTokens.revokedAt)))
      .limit(1),
  ]);
  const identity = found[0];
  if (!identity) return { ok: false, reason: "invalid" };
  if (identity.disabled) return { ok: false, reason: "disabled" };
  const issuedMs = typeof res.payload.t === "number" ? res.payload.t : (res.payload.iat ?? 0) * 1000;
  if (issuedMs < identity.sessionsValidAfter) return { ok: false, reason: "revoked" };
  if (endedRows.length > 0) return { ok: false, reason: "revoked" };
  const groups = groupRows.map((r) => r.g);
  return principalOf(
    ctx,
    identity,
    { kind: "jwt", id: String(res.payload.jti ?? "") },
    false,
    groups,
    sid === undefined ? undefined : familySession(sid),
  );
}

/** `Authorization: Token ztl…`: checksum first (no lookup for garbage), then the SHA-256 lookup and expiry. */
export async function resolveApiToken(ctx: DomainContext, secret: string): Promise<Resolution> {
  if (!parseZtlToken(secret).ok) return { ok: false, reason: "malformed" };
  const hashed = await hashApiToken(secret);
  // Token, identity and groups in one D1 round trip (a batch of three reads; the
  // identity and its groups are selected through the token's hash, no second lookup).
  const owner = ctx.db.select({ id: apiTokens.identityId }).from(apiTokens).where(eq(apiTokens.hashedKey, hashed));
  const [tokens, owners, groupRows] = await ctx.db.batch([
    ctx.db.select().from(apiTokens).where(eq(apiTokens.hashedKey, hashed)).limit(1),
    ctx.db.select().from(identities).where(inArray(identities.id, owner)).limit(1),
    ctx.db.select({ g: identityGroups.groupId }).from(identityGroups).where(inArray(identityGroups.identityId, owner)),
  ]);
  const token = tokens[0];
  const identity = owners[0];
  if (!token || !identity || identity.id !== token.identityId) return { ok: false, reason: "invalid" };
  if (token.expiresAt !== null && token.expiresAt <= ctx.now()) return { ok: false, reason: "expired" };
  const groups = groupRows.map((r) => r.g);
  return principalOf(ctx, identity, { kind: "api_token", id: token.id }, false, groups, tokenSession(token.id));
}

/** `zt-session: <token>`; a session whose MFA is pending resolves with `mfaPending`. */
export async function resolveZtSession(ctx: DomainContext, token: string) {
  const session = await findApiSession(ctx, token);
  if (!session) return { ok: false as const, reason: "invalid" as const };
  const identity = await ctx.db.select().from(identities).where(eq(identities.id, session.identityId)).get();
  if (!identity) return { ok: false as const, reason: "invalid" as const };
  const res = await principalOf(
    ctx,
    identity,
    { kind: "zt_session", id: session.id },
    session.mfaRequired && !session.mfaComplete,
  );
  return res.ok ? { ...res, session } : res;
}
