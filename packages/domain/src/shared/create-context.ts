import { deriveKeys } from "@fleetgate/auth";
import { createDb, type Database } from "../db";
import { eventsPort } from "../ports/events.port";
import { filesPort } from "../ports/files.port";
import { hostChannelsPort } from "../ports/host-channels.port";
import { jobRunsPort } from "../ports/job-runs.port";
import { r2PresignConfig } from "../ports/r2-presign";
import { taskQueuePort } from "../ports/task-queue.port";
import type { Actor, DerivedKeys, DomainContext } from "./context";

/**
 * What the domain needs from the platform: the bindings behind its ports, the
 * secrets and the policy variables. The control-plane Worker's `Env & Secrets`
 * satisfies it (one Worker: API, queue consumer, cron and Durable Objects).
 */
export interface PlatformEnv {
  DB: D1Database;
  EXPORTS: R2Bucket;
  TASKS: Queue;
  JOBS: Env["JOBS"];
  HOSTS: Env["HOSTS"];
  EVENTS: Env["EVENTS"];
  MASTER_KEY: string;
  PASSWORD_PEPPER: string;
  LOG_LEVEL?: string;
  PUBLIC_URL?: string;
  TRUST_DOMAIN?: string;
  HOST_CERT_DAYS?: string;
  SESSION_CERT_HOURS?: string;
  RENEW_GRACE_SECONDS?: string;
  CA_ROOT_CERT_PEM?: string;
  CA_ISSUING_CERT_PEM?: string;
  CA_ISSUING_KEY_PEM?: string;
  R2_ACCOUNT_ID?: string;
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  R2_BUCKET_NAME?: string;
}

/** Who and where: one request, queue message or cron run. The actor is fixed here, once. */
export interface ContextScope {
  requestId: string;
  /** A client-supplied request id, recorded only as a correlation field. */
  correlationId?: string | undefined;
  actor?: Actor;
  sourceIp?: string;
  /** Public base URL (JWT `iss`, links); defaults to PUBLIC_URL. */
  issuer?: string;
  /** The request's D1 client when one exists already (else one is created). */
  db?: Database;
  /** Called after an audited batch committed (wakes the audit sequencer). */
  onAudited?: () => void;
  /** Local development and tests: identity providers on loopback may be called. */
  allowLoopbackIdp?: boolean;
}

let keys: { master: string; derived: Promise<DerivedKeys> } | undefined;

/** HKDF-derived keys, computed once per isolate (and again only if MASTER_KEY changes). */
function derivedKeys(master: string): Promise<DerivedKeys> {
  if (!master)
    throw new Error("MASTER_KEY is not set: run `pnpm dev` (writes .dev.vars) or `wrangler secret put MASTER_KEY`");
  if (keys?.master !== master) keys = { master, derived: deriveKeys(master) };
  return keys.derived;
}

type Ports = Pick<DomainContext, "jobRuns" | "hostChannels" | "files" | "tasks" | "events">;

/**
 * The ports are functions of the bindings only: built once per env object (an isolate's
 * requests share it) instead of for every DomainContext — two per authenticated request.
 * Rebuilt when a variable they read differs (a test's env copy is another object anyway).
 */
const portsByEnv = new WeakMap<PlatformEnv, { vars: string; ports: Ports }>();

function portsOf(env: PlatformEnv): Ports {
  const vars = JSON.stringify([
    env.LOG_LEVEL,
    env.R2_ACCOUNT_ID,
    env.R2_ACCESS_KEY_ID,
    env.R2_SECRET_ACCESS_KEY,
    env.R2_BUCKET_NAME,
  ]);
  const hit = portsByEnv.get(env);
  if (hit?.vars === vars) return hit.ports;
  const ports: Ports = {
    jobRuns: jobRunsPort(env.JOBS, env.LOG_LEVEL),
    hostChannels: hostChannelsPort(env.HOSTS),
    files: filesPort(env.EXPORTS, r2PresignConfig(env)),
    tasks: taskQueuePort(env.TASKS),
    events: eventsPort(env.EVENTS),
  };
  portsByEnv.set(env, { vars, ports });
  return ports;
}

/** The one builder of a DomainContext: D1, keys, PKI policy and the ports over DOs, R2 and the queue. */
export async function createDomainContext(env: PlatformEnv, scope: ContextScope): Promise<DomainContext> {
  return {
    db: scope.db ?? createDb(env.DB),
    keys: await derivedKeys(env.MASTER_KEY),
    pepper: env.PASSWORD_PEPPER,
    now: () => Date.now(),
    actor: scope.actor,
    requestId: scope.requestId,
    correlationId: scope.correlationId,
    sourceIp: scope.sourceIp ?? "",
    issuer: (scope.issuer ?? env.PUBLIC_URL ?? "").replace(/\/+$/, ""),
    logLevel: env.LOG_LEVEL,
    pki: {
      trustDomain: env.TRUST_DOMAIN || "fleetgate.local",
      hostCertSeconds: Number(env.HOST_CERT_DAYS || 30) * 86_400,
      sessionCertSeconds: Number(env.SESSION_CERT_HOURS || 12) * 3600,
      renewGraceSeconds: Number(env.RENEW_GRACE_SECONDS || 0),
      secrets: {
        CA_ROOT_CERT_PEM: env.CA_ROOT_CERT_PEM,
        CA_ISSUING_CERT_PEM: env.CA_ISSUING_CERT_PEM,
        CA_ISSUING_KEY_PEM: env.CA_ISSUING_KEY_PEM,
      },
    },
    ...portsOf(env),
    onAudited: scope.onAudited,
    allowLoopbackIdp: scope.allowLoopbackIdp,
  };
}
