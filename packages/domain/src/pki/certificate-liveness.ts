import { and, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../db";
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

/** Host ids per query of `validCertificatesOfHosts` (one JSON parameter each). */
const HOSTS_PER_QUERY = 1_000;

/**
 * The same check for many hosts at once: host id → ids of its certificates that
 * are active and before their notAfter (a host without one is absent). The
 * JobRun reads this for the hosts it is about to dispatch and hands each
 * HostChannel its host's list: one D1 query per 1,000 hosts (the ids go in as
 * one JSON parameter; D1 binds at most 100), instead of one per host.
 */
export async function validCertificatesOfHosts(
  db: Database,
  hostIds: readonly string[],
  now: number,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const unique = [...new Set(hostIds)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += HOSTS_PER_QUERY) chunks.push(unique.slice(i, i + HOSTS_PER_QUERY));
  const results = await Promise.all(
    chunks.map((ids) =>
      db
        .select({ id: certificates.id, hostId: certificates.hostId })
        .from(certificates)
        .where(
          and(
            sql`${certificates.hostId} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
            eq(certificates.status, "active"),
            gt(certificates.notAfter, now),
          ),
        )
        .all(),
    ),
  );
  for (const r of results.flat()) {
    if (r.hostId === null) continue;
    out.set(r.hostId, [...(out.get(r.hostId) ?? []), r.id]);
  }
  return out;
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
