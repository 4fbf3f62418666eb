import {
  type EdgeRouterConnectionStatus,
  type EnrollmentView,
  edgeRouterConnectionStatus,
  hasApiSession,
  type IdentityRow,
  isMfaEnabled,
  listAuthenticators,
  openEnrollmentOf,
} from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { baseEntity, entityRef, link, zitiTime } from "../envelope";
import { currentIdentityRow } from "../ziti-auth";
import type { getCurrentIdentity } from "./current-identity.routes";

/** Ziti identity type of every Fleetgate identity (0.26+ has `Default` and `Router`). */
const IDENTITY_TYPE = "Default";
/** Fleetgate has one authentication policy: the controller's built-in `default`. */
const AUTH_POLICY_ID = "default";

/** The `jti` of an enrollment JWT: the token the enroll URL carries. */
const jtiOf = (jwt: string): string => {
  try {
    const payload = JSON.parse(atob((jwt.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as {
      jti?: unknown;
    };
    return typeof payload.jti === "string" ? payload.jti : "";
  } catch {
    return "";
  }
};

function identityDetail(
  me: IdentityRow,
  extra: {
    mfa: boolean;
    apiSession: boolean;
    routerStatus: EdgeRouterConnectionStatus;
    updb?: { id: string; username: string };
    cert?: { id: string; fingerprint: string };
    enrollment?: EnrollmentView;
  },
) {
  const authenticators: { updb?: { id: string; username: string }; cert?: { id: string; fingerprint: string } } = {};
  if (extra.updb) authenticators.updb = extra.updb;
  if (extra.cert) authenticators.cert = extra.cert;
  return {
    ...baseEntity(me.id, me.createdAt, me.updatedAt, {
      self: link("./current-identity"),
      mfa: link("./current-identity/mfa"),
    }),
    tags: me.tags ?? {},
    name: me.name,
    type: entityRef("identity-types", IDENTITY_TYPE, IDENTITY_TYPE),
    typeId: IDENTITY_TYPE,
    isAdmin: me.role === "admin",
    isDefaultAdmin: me.isDefaultAdmin,
    authenticators,
    // An open one-time enrollment shows as `enrollment.<method>` (identityEnrollments), as the controller does.
    enrollment: extra.enrollment?.jwt
      ? {
          [extra.enrollment.method]: {
            id: extra.enrollment.id,
            jwt: extra.enrollment.jwt,
            token: jtiOf(extra.enrollment.jwt),
            expiresAt: zitiTime(extra.enrollment.expiresAt),
          },
        }
      : {},
    envInfo: me.envInfo ?? {},
    sdkInfo: me.sdkInfo ?? {},
    roleAttributes: me.roleAttributes ?? [],
    hasApiSession: extra.apiSession,
    // The data plane is outside Fleetgate: a connection is never observed (identity-status.service.ts).
    hasEdgeRouterConnection: false,
    edgeRouterConnectionStatus: extra.routerStatus,
    isMfaEnabled: extra.mfa,
    serviceHostingPrecedences: {},
    serviceHostingCosts: {},
    defaultHostingCost: 0,
    defaultHostingPrecedence: "default" as const,
    authPolicyId: AUTH_POLICY_ID,
    authPolicy: entityRef("auth-policies", AUTH_POLICY_ID, "Default"),
    externalId: me.externalId,
    disabled: me.disabled,
    disabledAt: me.disabledAt === null ? null : zitiTime(me.disabledAt),
    disabledUntil: null,
    appData: {},
  };
}

export const getCurrentIdentityHandler: RouteHandler<typeof getCurrentIdentity, AppEnv> = async (c) => {
  const me = currentIdentityRow(c);
  const ctx = await domain(c);
  const [mfa, apiSession, auths, enrollment, routerStatus] = await Promise.all([
    isMfaEnabled(ctx, me.id),
    hasApiSession(ctx, me.id),
    listAuthenticators(ctx, me.id, { limit: 100, offset: 0 }),
    openEnrollmentOf(ctx, me.id),
    edgeRouterConnectionStatus(ctx, me.id),
  ]);
  const updb = auths.items.find((a) => a.method === "updb");
  const cert = auths.items.find((a) => a.method === "cert");
  return c.json(
    {
      data: identityDetail(me, {
        mfa,
        apiSession,
        routerStatus,
        updb: updb ? { id: updb.id, username: updb.username ?? "" } : undefined,
        cert: cert ? { id: cert.id, fingerprint: cert.fingerprint ?? "" } : undefined,
        enrollment,
      }),
      meta: {},
    },
    200,
  );
};
