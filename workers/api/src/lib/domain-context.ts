import { deriveKeys } from "@fleetgate/auth";
import { type DerivedKeys, type DomainContext, ensureBootstrapAdmin } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { wakeLedger } from "./ledger-wake";

let keys: { master: string; derived: Promise<DerivedKeys> } | undefined;

/** HKDF-derived keys, computed once per isolate (and again only if MASTER_KEY changes). */
function derivedKeys(master: string): Promise<DerivedKeys> {
  if (!master)
    throw new Error("MASTER_KEY is not set: run `pnpm dev` (writes .dev.vars) or `wrangler secret put MASTER_KEY`");
  if (keys?.master !== master) keys = { master, derived: deriveKeys(master) };
  return keys.derived;
}

/** Public base URL of this deployment: PUBLIC_URL when set, else the request's origin. */
export function publicBase(c: Context<AppEnv>): string {
  return (c.env.PUBLIC_URL || new URL(c.req.url).origin).replace(/\/+$/, "");
}

/** The request's DomainContext (memoised on the context); bootstraps the first admin on first use. */
export async function domain(c: Context<AppEnv>): Promise<DomainContext> {
  const existing = c.get("domain");
  if (existing) return existing;
  const principal = c.get("principal");
  const ctx: DomainContext = {
    db: c.get("db"),
    keys: await derivedKeys(c.env.MASTER_KEY),
    pepper: c.env.PASSWORD_PEPPER,
    now: () => Date.now(),
    actor: principal
      ? { id: principal.identityId, name: principal.name, credentialId: principal.credential.id }
      : undefined,
    requestId: c.get("requestId"),
    sourceIp: c.get("clientIp"),
    issuer: publicBase(c),
    allowLoopbackIdp: c.env.ALLOW_LOOPBACK_IDP === "true",
    pki: {
      trustDomain: c.env.TRUST_DOMAIN,
      hostCertSeconds: Number(c.env.HOST_CERT_DAYS || 30) * 86_400,
      sessionCertSeconds: Number(c.env.SESSION_CERT_HOURS || 12) * 3600,
      renewGraceSeconds: Number(c.env.RENEW_GRACE_SECONDS || 0),
      secrets: {
        CA_ROOT_CERT_PEM: c.env.CA_ROOT_CERT_PEM,
        CA_ISSUING_CERT_PEM: c.env.CA_ISSUING_CERT_PEM,
        CA_ISSUING_KEY_PEM: c.env.CA_ISSUING_KEY_PEM,
      },
    },
    onAudited: () => wakeLedger(c.env, c.executionCtx),
  };
  await ensureBootstrapAdmin(ctx, c.env.FLEETGATE_ADMIN_USERNAME, c.env.FLEETGATE_ADMIN_PASSWORD);
  c.set("domain", ctx);
  return ctx;
}

/** Re-points the audit actor after authentication succeeded within the same request. */
export function setActor(c: Context<AppEnv>, ctx: DomainContext): void {
  const p = c.get("principal");
  ctx.actor = p ? { id: p.identityId, name: p.name, credentialId: p.credential.id } : undefined;
}
