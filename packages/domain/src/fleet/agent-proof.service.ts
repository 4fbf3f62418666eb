import { fromBase64Url, toHex, verifyProof } from "@fleetgate/auth";
import type { IdentityRow } from "../identity/users.service";
import { activeCertificateBySha256, type CertificateRow } from "../pki/certificates.service";
import { renewableCertificate } from "../pki/renewal.service";
import type { DomainContext } from "../shared/context";
import { hostWithIdentity, spendNonce } from "./agent-proof.query";
import { cachedPublicKey } from "./certificate-keys";
import type { HostRow } from "./host-records";

export type ProofRefusal =
  | "malformed"
  | "unknown_key"
  | "bad_signature"
  | "expired"
  | "audience"
  | "lifetime"
  | "replayed"
  | "not_a_host";

export interface AgentProofIdentity {
  host: HostRow;
  certificate: CertificateRow;
  /** The host's identity and its groups, read in the same batch as the host. */
  identity: IdentityRow | undefined;
  groups: string[];
}

/**
 * Authenticates an agent by its certificate-bound proof (docs/agent-protocol.md):
 * the certificate must be ours and currently valid (revocation and expiry take
 * effect on the next attempt), the proof signed by its key for exactly this
 * `audience`, short-lived, and its `jti` never seen before.
 * `purpose: "renew"` also accepts a certificate inside the renew-after-expiry grace window.
 *
 * Two steps: the certificate (read on every attempt; only the key parsed from its
 * immutable bytes is cached), then, in parallel, spending the `jti` and one read of the
 * host with its identity and groups (prepared statements, agent-proof.query.ts).
 */
export async function authenticateAgentProof(
  ctx: DomainContext,
  token: string,
  audience: string,
  purpose: "connect" | "renew" = "connect",
): Promise<({ ok: true } & AgentProofIdentity) | { ok: false; reason: ProofRefusal }> {
  let cert: CertificateRow | undefined;
  const res = await verifyProof(
    token,
    async (thumb) => {
      const bytes = fromBase64Url(thumb);
      if (bytes?.length !== 32) return undefined;
      const sha = toHex(bytes);
      cert = purpose === "renew" ? await renewableCertificate(ctx, sha) : await activeCertificateBySha256(ctx, sha);
      return cert ? cachedPublicKey(sha, cert.certPem, cert.publicKeyJwk) : undefined;
    },
    { audience, now: ctx.now() },
  );
  if (!res.ok) return res;
  const hostId = cert?.hostId;
  if (!cert || !hostId) return { ok: false, reason: "not_a_host" };
  // Single use: the first INSERT of this jti wins; a replay finds the row.
  const [fresh, found] = await Promise.all([
    spendNonce(ctx.db, `proof:${res.jti}`, (res.exp + 60) * 1000),
    hostWithIdentity(ctx.db, hostId),
  ]);
  if (!fresh) return { ok: false, reason: "replayed" };
  if (!found) return { ok: false, reason: "not_a_host" };
  return { ok: true, host: found.host, certificate: cert, identity: found.identity, groups: found.groups };
}
