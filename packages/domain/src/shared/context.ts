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
}
