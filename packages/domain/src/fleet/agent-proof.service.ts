import { fromBase64Url, toHex, verifyProof } from "@fleetgate/auth";
import { certificatePublicKey } from "@fleetgate/pki";
import { eq } from "drizzle-orm";
import { activeCertificateBySha256, type CertificateRow } from "../pki/certificates.service";
import { renewableCertificate } from "../pki/renewal.service";
import { hosts, nonces } from "../schema";
import type { DomainContext } from "../shared/context";
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

/**
 * Authenticates an agent by its certificate-bound proof (docs/agent-protocol.md):
 * the certificate must be ours and currently valid (revocation and expiry take
 * effect on the next attempt), the proof signed by its key for exactly this
 * `audience`, short-lived, and its `jti` never seen before.
 * `purpose: "renew"` also accepts a certificate inside the renew-after-expiry grace window.
 */
export async function authenticateAgentProof(
  ctx: DomainContext,
  token: string,
  audience: string,
  purpose: "connect" | "renew" = "connect",
): Promise<{ ok: true; host: HostRow; certificate: CertificateRow } | { ok: false; reason: ProofRefusal }> {
  let cert: CertificateRow | undefined;
  const res = await verifyProof(
    token,
    async (thumb) => {
      const bytes = fromBase64Url(thumb);
      if (bytes?.length !== 32) return undefined;
      const sha = toHex(bytes);
      cert = purpose === "renew" ? await renewableCertificate(ctx, sha) : await activeCertificateBySha256(ctx, sha);
      return cert ? certificatePublicKey(cert.certPem) : undefined;
    },
    { audience, now: ctx.now() },
  );
  if (!res.ok) return res;
  if (!cert?.hostId) return { ok: false, reason: "not_a_host" };
  // Single use: the first INSERT of this jti wins; a replay finds the row.
  const fresh = await ctx.db
    .insert(nonces)
    .values({ key: `proof:${res.jti}`, expiresAt: (res.exp + 60) * 1000 })
    .onConflictDoNothing()
    .run();
  if (fresh.meta.changes !== 1) return { ok: false, reason: "replayed" };
  const host = await ctx.db.select().from(hosts).where(eq(hosts.id, cert.hostId)).get();
  if (!host) return { ok: false, reason: "not_a_host" };
  return { ok: true, host, certificate: cert };
}
