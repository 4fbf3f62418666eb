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
}

/** Every binding the control-plane Worker sees: wrangler-generated `Env` plus secrets. */
export type Bindings = Env & Secrets;

export interface Variables {
  requestId: string;
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
