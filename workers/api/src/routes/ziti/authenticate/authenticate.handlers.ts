import type { Authenticate } from "@fleetgate/contract/ziti";
import {
  attemptSessionMfa,
  authenticateByCertificate,
  authenticateByExternalJwt,
  certExtendRequested,
  checkPassword,
  completeSessionMfa,
  createApiSession,
  DomainError,
  enforceLocalLoginPolicy,
  isMfaEnabled,
  mfaRecord,
  sessionConfigTypes,
  type TlsClientAuth,
} from "@fleetgate/domain";
import type { RouteHandler, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { validationError } from "../../../lib/http-errors";
import type { ValidationHook } from "../../../lib/route-set";
import { sessionView } from "../current-api-session/current-api-session.handlers";
import { EMPTY } from "../envelope";
import { Z } from "../errors";
import { addSessionHeaders, currentIdentityRow, currentSession } from "../ziti-auth";
import type { authenticate, authenticateMfa } from "./authenticate.routes";

/** Drops absent and null fields: what is stored as the identity's envInfo / sdkInfo. */
function info(value: Record<string, string | null | undefined> | null | undefined): Record<string, string> | undefined {
  if (!value) return undefined;
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** `POST /authenticate?method=password|cert|ext-jwt`: a session from a updb password, a client certificate or an external JWT. */
export const authenticateHandler: RouteHandler<typeof authenticate, AppEnv> = async (c) => {
  const { method } = c.req.valid("query");
  if (method === "ext-jwt") return authenticateExtJwt(c, c.req.valid("json"));
  if (method === "cert") return authenticateCert(c, c.req.valid("json"));
  const body = c.req.valid("json");
  if (!body.username || !body.password) throw Z.invalidAuth();
  const ctx = await domain(c);
  const checked = await checkPassword(ctx, body.username, body.password, { secondFactor: "deferred" });
  if (checked.identity.kind !== "user") throw Z.invalidAuth();
  await enforceLocalLoginPolicy(ctx, checked.identity, checked.mfaEnabled);
  const { token, session } = await createApiSession(ctx, checked.identity, {
    authenticatorId: checked.authenticatorId,
    method: "password",
    mfaRequired: checked.mfaEnabled,
    configTypes: await sessionConfigTypes(ctx, body.configTypes),
    envInfo: info(body.envInfo),
    sdkInfo: info(body.sdkInfo),
  });
  const now = ctx.now();
  c.header("zt-session", token);
  addSessionHeaders(c, session, now);
  return c.json({ data: sessionView(session, token, checked.identity, now), meta: {} }, 200);
};

/** A missing or unknown method is refused as such, before the body is looked at. */
export const authenticateValidation: ValidationHook = (result) => {
  if (result.success) return undefined;
  if (result.target === "query") throw Z.invalidAuthMethod();
  throw validationError(result.error, (result as { data?: unknown }).data);
};

export const authenticateMfaHandler: RouteHandler<typeof authenticateMfa, AppEnv> = async (c) => {
  const session = currentSession(c);
  const me = currentIdentityRow(c);
  const ctx = await domain(c);
  const row = await mfaRecord(ctx, me.id);
  if (!row?.verified) throw Z.mfaNotEnrolled();
  try {
    await attemptSessionMfa(ctx, session.row, c.req.valid("json").code);
  } catch (err) {
    if (err instanceof DomainError && err.code === "mfa.code_refused") throw Z.mfaInvalidToken(401);
    throw err;
  }
  await completeSessionMfa(ctx, session.row);
  return c.json(EMPTY, 200);
};

/**
 * `?method=cert`: the client certificate presented through Cloudflare mTLS
 * (`request.cf.tlsClientAuth`, set by the edge, not by client headers).
 */
async function authenticateCert(c: Context<AppEnv>, body: z.infer<typeof Authenticate> | undefined) {
  const ctx = await domain(c);
  const tls = (c.req.raw as { cf?: { tlsClientAuth?: TlsClientAuth } }).cf?.tlsClientAuth;
  const found = await authenticateByCertificate(ctx, tls);
  if (!found) throw Z.invalidAuth();
  const { token, session } = await createApiSession(ctx, found.identity, {
    authenticatorId: found.authenticatorId,
    // A third-party certificate (no certificate of ours) is never extendable: its session says so.
    method: found.certificate ? "cert" : "cert-ca",
    mfaRequired: await isMfaEnabled(ctx, found.identity.id),
    configTypes: await sessionConfigTypes(ctx, body?.configTypes),
    envInfo: info(body?.envInfo),
    sdkInfo: info(body?.sdkInfo),
  });
  const now = ctx.now();
  c.header("zt-session", token);
  addSessionHeaders(c, session, now);
  // Past half its lifetime, a network-issued certificate should be extended (docs/ziti.md); a third-party one never is.
  if (found.certificate && certExtendRequested(found.certificate, now))
    c.header("ziti-authenticator-extend-requested", "true");
  return c.json({ data: sessionView(session, token, found.identity, now), meta: {} }, 200);
}

/** `?method=ext-jwt`: `Authorization: Bearer <JWT>` from an enabled external JWT signer. */
async function authenticateExtJwt(c: Context<AppEnv>, body: z.infer<typeof Authenticate> | undefined) {
  const ctx = await domain(c);
  const header = c.req.header("authorization") ?? "";
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const { identity, signer } = await authenticateByExternalJwt(ctx, bearer);
  const { token, session } = await createApiSession(ctx, identity, {
    authenticatorId: signer.id,
    method: "ext-jwt",
    mfaRequired: await isMfaEnabled(ctx, identity.id),
    configTypes: await sessionConfigTypes(ctx, body?.configTypes),
    envInfo: info(body?.envInfo),
    sdkInfo: info(body?.sdkInfo),
  });
  const now = ctx.now();
  c.header("zt-session", token);
  addSessionHeaders(c, session, now);
  return c.json({ data: sessionView(session, token, identity, now), meta: {} }, 200);
}
