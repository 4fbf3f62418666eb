import type { Database, DomainContext, IdentityRow, Principal } from "@fleetgate/domain";

/** Secrets: Workers secrets in production, `.dev.vars` locally (see .dev.vars.example). */
export interface Secrets {
  MASTER_KEY: string;
  PASSWORD_PEPPER: string;
  FLEETGATE_ADMIN_USERNAME?: string;
  FLEETGATE_ADMIN_PASSWORD?: string;
  /** Production CA material (docs/pki.md); when unset the CA is created on first use and stored wrapped. */
  CA_ROOT_CERT_PEM?: string;
  CA_ISSUING_CERT_PEM?: string;
  CA_ISSUING_KEY_PEM?: string;
  /**
   * Optional R2 S3 credentials: when all three are set, task downloads redirect to
   * R2 presigned URLs instead of our own signed links (docs/tasks-and-exports.md).
   */
  R2_ACCOUNT_ID?: string;
  R2_ACCESS_KEY_ID?: string;
  R2_SECRET_ACCESS_KEY?: string;
  R2_BUCKET_NAME?: string;
  /** "true" in local development and tests only: SSO may talk to an identity provider on loopback. */
  ALLOW_LOOPBACK_IDP?: string;
}

/** Every binding the control-plane Worker sees: wrangler-generated `Env` plus secrets. */
export type Bindings = Env & Secrets;

export interface Variables {
  /** The server's own id for this request (always generated here). */
  requestId: string;
  /** A well-formed client-supplied `X-Request-Id`, kept only as a correlation field. */
  correlationId: string | undefined;
  db: Database;
  principal: Principal | undefined;
  /** The authenticated identity's row, loaded with the principal. */
  identity: IdentityRow | undefined;
  clientIp: string;
  domain: DomainContext | undefined;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
