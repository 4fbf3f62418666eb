export type Role = "admin" | "operator" | "reporter";
export type IdentityKind = "user" | "service" | "host";
export type CredentialKind = "jwt" | "api_token" | "zt_session" | "agent_proof" | "client_cert";

/** The one shape every credential resolves to (DESIGN.md "One principal model"). */
export interface Principal {
  identityId: string;
  kind: IdentityKind;
  name: string;
  role: Role;
  groups: string[];
  credential: { kind: CredentialKind; id: string };
  /** For Ziti sessions: MFA required but not yet completed. */
  mfaPending: boolean;
  /**
   * The sign-in session the credential belongs to — an access JWT's refresh
   * family (`sid`), an API token's id — so what is opened under it (dashboard
   * sockets) ends with it. Undefined for credentials without one.
   */
  sessionId?: string;
}
