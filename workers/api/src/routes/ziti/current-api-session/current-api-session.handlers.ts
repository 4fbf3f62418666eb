import { RECOVERY_CODE_LENGTH } from "@fleetgate/auth";
import { type ApiSessionRow, deleteApiSession, type IdentityRow } from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { baseEntity, EMPTY, entityRef, link, zitiTime } from "../envelope";
import { currentIdentityRow, currentSession } from "../ziti-auth";
import type { deleteCurrentApiSession, getCurrentApiSession } from "./current-api-session.routes";

/**
 * The one second factor this face asks for (ziti-edge-client.md §5.3). The
 * answer is a 6-digit TOTP code or a recovery code, so `maxLength` is the
 * recovery codes' length (10), not the controller's 6: a client that enforces
 * the advertised bounds can still send either.
 */
const MFA_AUTH_QUERY = {
  typeId: "MFA" as const,
  provider: "ziti" as const,
  httpMethod: "POST",
  httpUrl: "./authenticate/mfa",
  minLength: 4,
  maxLength: Math.max(6, RECOVERY_CODE_LENGTH),
  format: "alphaNumeric" as const,
};

/**
 * `currentApiSessionDetail` for a session, its presented token and its identity.
 * As in the controller, `lastActivityAt` is the stored value (written at most
 * every 90 s) and `cachedLastActivityAt` the latest activity seen: this request.
 */
export function sessionView(session: ApiSessionRow, token: string, identity: IdentityRow, now: number) {
  const pending = session.mfaRequired && !session.mfaComplete;
  return {
    ...baseEntity(session.id, session.createdAt, session.updatedAt, { self: link("./current-api-session") }),
    token,
    identity: entityRef("identities", identity.id, identity.name),
    identityId: identity.id,
    configTypes: session.configTypes,
    ipAddress: session.ipAddress,
    authQueries: pending ? [MFA_AUTH_QUERY] : [],
    isMfaRequired: session.mfaRequired,
    isMfaComplete: session.mfaComplete,
    authenticatorId: session.authenticatorId,
    // Extendable only from a session authenticated with a network-issued certificate (issue 11);
    // third-party certificate sessions (`cert-ca`) are not.
    isCertExtendable: session.authMethod === "cert",
    lastActivityAt: zitiTime(session.lastActivityAt),
    cachedLastActivityAt: zitiTime(Math.max(now, session.lastActivityAt)),
    expiresAt: zitiTime(session.expiresAt),
    expirationSeconds: Math.max(0, Math.floor((session.expiresAt - now) / 1000)),
  };
}

export const getCurrentApiSessionHandler: RouteHandler<typeof getCurrentApiSession, AppEnv> = async (c) => {
  const s = currentSession(c);
  const ctx = await domain(c);
  return c.json({ data: sessionView(s.row, s.token, currentIdentityRow(c), ctx.now()), meta: {} }, 200);
};

export const deleteCurrentApiSessionHandler: RouteHandler<typeof deleteCurrentApiSession, AppEnv> = async (c) => {
  const s = currentSession(c);
  await deleteApiSession(await domain(c), s.row);
  return c.json(EMPTY, 200);
};
