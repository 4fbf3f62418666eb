import type { deriveKeys } from "@fleetgate/auth";
import type { Database } from "../db";
import type { EventsPort } from "../ports/events.port";
import type { FilesPort } from "../ports/files.port";
import type { HostChannelsPort } from "../ports/host-channels.port";
import type { JobRunsPort } from "../ports/job-runs.port";
import type { TaskQueuePort } from "../ports/task-queue.port";

/** Who is acting, for audit entries. Undefined for anonymous requests (login, enrollment). */
export type DerivedKeys = Awaited<ReturnType<typeof deriveKeys>>;

export interface Actor {
  id: string;
  name: string;
  credentialId: string | null;
}

/**
 * Everything a domain service needs, built once per request, queue message or
 * cron run by `createDomainContext`. Services never see HTTP; faces never see
 * D1 or a binding: storage and the platform are reached through the ports.
 */
export interface DomainContext {
  db: Database;
  keys: DerivedKeys;
  pepper: string;
  now: () => number;
  /** Fixed when the context is built (after authentication); never re-pointed. */
  readonly actor: Actor | undefined;
  requestId: string;
  /** A client-supplied request id: a correlation field only, never the request id. */
  correlationId?: string | undefined;
  sourceIp: string;
  /** Public base URL: JWT `iss`, audiences, links. */
  issuer: string;
  pki: PkiConfig;
  /** LOG_LEVEL (debug | info | warn | error) for `logAt`. */
  logLevel: string | undefined;
  jobRuns: JobRunsPort;
  hostChannels: HostChannelsPort;
  files: FilesPort;
  tasks: TaskQueuePort;
  events: EventsPort;
  /** Local development and tests: identity providers on loopback may be called (external-jwt/outbound.ts). */
  allowLoopbackIdp?: boolean;
  /** Called after an audited batch committed: wakes the audit sequencer (best effort, never awaited). */
  onAudited?: () => void;
}

/** Certificate policy and CA material (see docs/pki.md). */
export interface PkiConfig {
  trustDomain: string;
  /** Lifetime of host client certificates (default 30 days). */
  hostCertSeconds: number;
  /** Lifetime of ephemeral API-session certificates (hours). */
  sessionCertSeconds: number;
  /** Renew-after-expiry grace window for hosts that were offline; 0 = off (default). */
  renewGraceSeconds: number;
  secrets: { CA_ROOT_CERT_PEM?: string; CA_ISSUING_CERT_PEM?: string; CA_ISSUING_KEY_PEM?: string };
}
