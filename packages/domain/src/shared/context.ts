import type { deriveKeys } from "@fleetgate/auth";
import type { Database } from "../db";

/** Who is acting, for audit entries. Undefined for anonymous requests (login, enrollment). */
export type DerivedKeys = Awaited<ReturnType<typeof deriveKeys>>;

export interface Actor {
  id: string;
  name: string;
  credentialId: string | null;
}

/**
 * Everything a domain service needs, built once per request by the worker.
 * Services never see HTTP; faces never see D1.
 */
export interface DomainContext {
  db: Database;
  keys: DerivedKeys;
  pepper: string;
  now: () => number;
  actor: Actor | undefined;
  requestId: string;
  sourceIp: string;
  /** Public base URL: JWT `iss`, audiences, links. */
  issuer: string;
  pki: PkiConfig;
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
