import { eq } from "drizzle-orm";
import { logAt } from "../log";
import { certificates } from "../schema";
import type { DomainContext } from "../shared/context";

/**
 * Is certificate `id` still good for a live connection: active (not revoked or
 * superseded) and before its notAfter? The HostChannel asks before it sends a
 * command and when its alarm fires (finding 3).
 */
export async function certificateStillValid(ctx: Pick<DomainContext, "db">, id: string, now: number): Promise<boolean> {
  const row = await ctx.db
    .select({ status: certificates.status, notAfter: certificates.notAfter })
    .from(certificates)
    .where(eq(certificates.id, id))
    .get();
  return row !== undefined && row.status === "active" && row.notAfter > now;
}

/**
 * After certificates of a host were revoked (revoke, reissue, renewal): the
 * agent connections authenticated with them are closed. Best effort — the
 * revocation is already committed, and the channel rechecks the certificate
 * before every command it sends, so a failed call here never lets a command
 * through.
 */
export async function endHostConnections(
  ctx: DomainContext,
  hostId: string | null,
  certIds: string[],
  reason: string,
): Promise<void> {
  if (!hostId || certIds.length === 0) return;
  try {
    await ctx.hostChannels.endCertificates(hostId, certIds, reason);
  } catch (err) {
    logAt(ctx.logLevel, "warn", "closing the agent connection after a revocation failed", {
      host_id: hostId,
      error: String(err),
    });
  }
}
