import { hashApiToken, parseZtlToken, sha256Hex, verifyJwt } from "@fleetgate/auth";
import { eq, inArray } from "drizzle-orm";
import type { Principal } from "../principal";
import { apiTokens, identities, identityGroups } from "../schema";
import type { DomainContext } from "../shared/context";
import { isUuid } from "../shared/ids";
import { lookupAccessIdentity } from "./access-lookup.query";
import { liveApiSession } from "./api-sessions.service";
import { rememberMfaState } from "./mfa-state";
import { lookupApiSession } from "./session-lookup.query";
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
  // Identity, role, revocation state, groups, whether the token's session was ended (logout,
  // refresh-token reuse) and the MFA state: one D1 round trip, one prepared statement.
  const found = await lookupAccessIdentity(ctx.db, sub, sid);
  if (!found) return { ok: false, reason: "invalid" };
  const { identity, groups } = found;
  if (identity.disabled) return { ok: false, reason: "disabled" };
  const issuedMs = typeof res.payload.t === "number" ? res.payload.t : (res.payload.iat ?? 0) * 1000;
  if (issuedMs < identity.sessionsValidAfter) return { ok: false, reason: "revoked" };
  if (found.sessionEnded) return { ok: false, reason: "revoked" };
  rememberMfaState(identity, found.mfaEnabled);
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

/**
 * `zt-session: <token>`; a session whose MFA is pending resolves with `mfaPending`. The session,
 * its identity and the identity's groups are one prepared statement (one D1 round trip); the
 * idle timer's refresh, when due, is a second.
 */
export async function resolveZtSession(ctx: DomainContext, token: string) {
  if (token.length === 0 || token.length > 128) return { ok: false as const, reason: "invalid" as const };
  const found = await lookupApiSession(ctx.db, await sha256Hex(token));
  const session = await liveApiSession(ctx, found?.session);
  if (!found || !session) return { ok: false as const, reason: "invalid" as const };
  const res = await principalOf(
    ctx,
    found.identity,
    { kind: "zt_session", id: session.id },
    session.mfaRequired && !session.mfaComplete,
    found.groups,
  );
  return res.ok ? { ...res, session } : res;
}
