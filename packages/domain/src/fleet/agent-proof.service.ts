import { fromBase64Url, toHex, verifyProof } from "@fleetgate/auth";
import { eq, sql } from "drizzle-orm";
import type { IdentityRow } from "../identity/users.service";
import { activeCertificateBySha256, type CertificateRow } from "../pki/certificates.service";
import { renewableCertificate } from "../pki/renewal.service";
import { hosts, identities, identityGroups, nonces } from "../schema";
import type { DomainContext } from "../shared/context";
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
 * Two D1 round trips: the certificate (read on every attempt; only the key parsed
 * from its immutable bytes is cached), then one batch that spends the `jti` and
 * reads the host, its identity and groups.
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
      return cert ? cachedPublicKey(sha, cert.certPem) : undefined;
    },
    { audience, now: ctx.now() },
  );
  if (!res.ok) return res;
  const hostId = cert?.hostId;
  if (!cert || !hostId) return { ok: false, reason: "not_a_host" };
  const identityOfHost = sql`(SELECT ${hosts.identityId} FROM ${hosts} WHERE ${hosts.id} = ${hostId})`;
  // Single use: the first INSERT of this jti wins; a replay finds the row.
  const [fresh, hostRows, identityRows, groupRows] = await ctx.db.batch([
    ctx.db
      .insert(nonces)
      .values({ key: `proof:${res.jti}`, expiresAt: (res.exp + 60) * 1000 })
      .onConflictDoNothing(),
    ctx.db.select().from(hosts).where(eq(hosts.id, hostId)).limit(1),
    ctx.db.select().from(identities).where(sql`${identities.id} = ${identityOfHost}`).limit(1),
    ctx.db
      .select({ g: identityGroups.groupId })
      .from(identityGroups)
      .where(sql`${identityGroups.identityId} = ${identityOfHost}`),
  ]);
  if (fresh.meta.changes !== 1) return { ok: false, reason: "replayed" };
  const host = hostRows[0];
  if (!host) return { ok: false, reason: "not_a_host" };
  return { ok: true, host, certificate: cert, identity: identityRows[0], groups: groupRows.map((r) => r.g) };
}
