import { deriveKeys } from "@fleetgate/auth";
import { createDb, type DerivedKeys, type DomainContext } from "@fleetgate/domain";
import type { TasksEnv } from "./env";

let keys: { master: string; derived: Promise<DerivedKeys> } | undefined;

function derivedKeys(master: string): Promise<DerivedKeys> {
  if (!master) throw new Error("MASTER_KEY is not set");
  if (keys?.master !== master) keys = { master, derived: deriveKeys(master) };
  return keys.derived;
}

/** A DomainContext for background work (queue messages, cron sweeps): no HTTP request, no actor. */
export async function backgroundContext(env: TasksEnv, requestId: string): Promise<DomainContext> {
  return {
    db: createDb(env.DB),
    keys: await derivedKeys(env.MASTER_KEY),
    pepper: env.PASSWORD_PEPPER,
    now: () => Date.now(),
    actor: undefined,
    requestId,
    sourceIp: "",
    issuer: (env.PUBLIC_URL ?? "").replace(/\/+$/, ""),
    pki: {
      trustDomain: env.TRUST_DOMAIN ?? "fleetgate.local",
      hostCertSeconds: Number(env.HOST_CERT_DAYS || 30) * 86_400,
      sessionCertSeconds: Number(env.SESSION_CERT_HOURS || 12) * 3600,
      renewGraceSeconds: Number(env.RENEW_GRACE_SECONDS || 0),
      secrets: {
        CA_ROOT_CERT_PEM: env.CA_ROOT_CERT_PEM,
        CA_ISSUING_CERT_PEM: env.CA_ISSUING_CERT_PEM,
        CA_ISSUING_KEY_PEM: env.CA_ISSUING_KEY_PEM,
      },
    },
  };
}
