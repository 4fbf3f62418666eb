import { authenticateAgentProof, type ProofRefusal } from "../fleet/agent-proof.service";
import type { HostRow } from "../fleet/host-records";
import type { CertificateRow } from "../pki/certificates.service";
import type { Principal } from "../principal";
import type { DomainContext } from "../shared/context";
import type { ApiSessionRow } from "./api-sessions.service";
import { type CredentialRefusal, resolveAccessToken, resolveApiToken, resolveZtSession } from "./principals.service";
import type { IdentityRow } from "./users.service";

/**
 * Every credential a face can extract, by kind (DESIGN.md "One principal
 * model"). A face only extracts its credential; `authenticate` resolves it.
 */
export type Credential =
  /** `Authorization: Bearer <access JWT>`. */
  | { kind: "access_jwt"; token: string }
  /** `Authorization: Token ztl…` (or an API token given anywhere else). */
  | { kind: "api_token"; token: string }
  /** Ziti `zt-session: <token>`. */
  | { kind: "zt_session"; token: string }
  /** The ctrl-exec body `token`: an access JWT (three dot-separated parts) or an API token. */
  | { kind: "exec_token"; token: string }
  /** The agent's certificate-bound proof for exactly `audience` (docs/agent-protocol.md). */
  | { kind: "agent_proof"; token: string; audience: string; purpose: "connect" | "renew" };

export type Authentication =
  | {
      ok: true;
      principal: Principal;
      /** The identity row (for a host: its host identity, when it has one). */
      identity: IdentityRow | undefined;
      /** Ziti: the API session behind a `zt-session`. */
      session?: ApiSessionRow;
      /** Agents: the host and the certificate that signed the proof. */
      agent?: { host: HostRow; certificate: CertificateRow };
    }
  /** Why, for the log only: faces render every refusal in their own shape and never say which check failed. */
  | { ok: false; reason: CredentialRefusal | ProofRefusal };

/** Resolves any credential to one `Principal` (or a refusal). Host principals come only from agent proofs. */
export async function authenticate(ctx: DomainContext, credential: Credential): Promise<Authentication> {
  switch (credential.kind) {
    case "access_jwt":
      return resolveAccessToken(ctx, credential.token);
    case "api_token":
      return resolveApiToken(ctx, credential.token);
    case "exec_token":
      return credential.token.split(".").length === 3
        ? resolveAccessToken(ctx, credential.token)
        : resolveApiToken(ctx, credential.token);
    case "zt_session":
      return resolveZtSession(ctx, credential.token);
    case "agent_proof":
      return agentPrincipal(ctx, credential);
  }
}

async function agentPrincipal(
  ctx: DomainContext,
  credential: Extract<Credential, { kind: "agent_proof" }>,
): Promise<Authentication> {
  const res = await authenticateAgentProof(ctx, credential.token, credential.audience, credential.purpose);
  if (!res.ok) return res;
  const { host, certificate, identity, groups } = res;
  return {
    ok: true,
    identity,
    agent: { host, certificate },
    principal: {
      identityId: identity?.id ?? host.id,
      kind: "host",
      name: host.name,
      role: identity?.role ?? "reporter",
      groups: identity ? groups : [],
      credential: { kind: "agent_proof", id: certificate.id },
      mfaPending: false,
    },
  };
}
