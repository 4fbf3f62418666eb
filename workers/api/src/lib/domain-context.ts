import { type Authentication, createDomainContext, type DomainContext, ensureBootstrapAdmin } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { wakeLedger } from "./ledger-wake";

/** The request's origin, parsed once per request (every DomainContext of the request needs it). */
const origins = new WeakMap<Request, string>();

/** Public base URL of this deployment: PUBLIC_URL when set, else the request's origin. */
export function publicBase(c: Context<AppEnv>): string {
  if (c.env.PUBLIC_URL) return c.env.PUBLIC_URL.replace(/\/+$/, "");
  let origin = origins.get(c.req.raw);
  if (origin === undefined) {
    origin = new URL(c.req.url).origin;
    origins.set(c.req.raw, origin);
  }
  return origin;
}

/** The request's DomainContext (memoised on the context); bootstraps the first admin on first use. */
export async function domain(c: Context<AppEnv>): Promise<DomainContext> {
  const existing = c.get("domain");
  if (existing) return existing;
  const principal = c.get("principal");
  const ctx = await createDomainContext(c.env, {
    db: c.get("db"),
    requestId: c.get("requestId"),
    correlationId: c.get("correlationId"),
    sourceIp: c.get("clientIp"),
    issuer: publicBase(c),
    actor: principal
      ? { id: principal.identityId, name: principal.name, credentialId: principal.credential.id }
      : undefined,
    allowLoopbackIdp: c.env.ALLOW_LOOPBACK_IDP === "true",
    onAudited: () => wakeLedger(c.env, c.executionCtx),
  });
  await ensureBootstrapAdmin(ctx, c.env.FLEETGATE_ADMIN_USERNAME, c.env.FLEETGATE_ADMIN_PASSWORD);
  c.set("domain", ctx);
  return ctx;
}

/**
 * Installs an authenticated principal on the request. The DomainContext is
 * built anew from here on, so its actor is fixed from the start (a context
 * built before authentication — to resolve the credential — never acts).
 */
export function signIn(c: Context<AppEnv>, auth: Extract<Authentication, { ok: true }>): void {
  c.set("principal", auth.principal);
  c.set("identity", auth.identity);
  c.set("domain", undefined);
}
