import type { HealthCheckSpec, HealthResult } from "@fleetgate/contract";
import { and, asc, eq, inArray } from "drizzle-orm";
import { healthCheckResults, healthChecks, jobHosts } from "../schema";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";
import { healthSpec } from "./health-runs.service";

/**
 * Health gates of a patch run (docs/patching.md "Rings"): the agent asks for its host's enabled
 * checks right before and after it changes packages, runs them itself (localhost services are
 * reachable there) and reports the results, which are kept with their phase and job.
 */

/** The host's enabled checks as the agent runs them (basic-auth passwords decrypted for the frame only). */
export async function gateChecks(ctx: DomainContext, hostId: string): Promise<HealthCheckSpec[]> {
  const rows = await ctx.db
    .select()
    .from(healthChecks)
    .where(and(eq(healthChecks.hostId, hostId), eq(healthChecks.enabled, true)))
    .orderBy(asc(healthChecks.createdAt), asc(healthChecks.id))
    .all();
  return Promise.all(rows.map((r) => healthSpec(ctx, r)));
}

/**
 * Keeps the results of one gate. Only results of the host's own checks, for a job the host is
 * part of, are stored (an agent cannot write another host's results). Returns how many were kept.
 */
export async function recordGateResults(
  ctx: DomainContext,
  hostId: string,
  jobId: string,
  phase: "pre" | "post",
  results: readonly HealthResult[],
): Promise<number> {
  if (results.length === 0) return 0;
  const member = await ctx.db
    .select({ id: jobHosts.id })
    .from(jobHosts)
    .where(and(eq(jobHosts.jobId, jobId), eq(jobHosts.hostId, hostId)))
    .get();
  if (!member) return 0;
  const own = await ctx.db
    .select({ id: healthChecks.id })
    .from(healthChecks)
    .where(
      and(
        eq(healthChecks.hostId, hostId),
        inArray(
          healthChecks.id,
          results.map((r) => r.check_id),
        ),
      ),
    )
    .all();
  const ids = new Set(own.map((o) => o.id));
  const now = ctx.now();
  const rows = results
    .filter((r) => ids.has(r.check_id))
    .map((r) => ({
      id: newId(),
      checkId: r.check_id,
      hostId,
      healthy: r.healthy,
      detail: r.detail.slice(0, 1024),
      latencyMs: Math.max(0, Math.round(r.latency_ms)),
      phase,
      jobId,
      checkedAt: now,
    }));
  if (rows.length === 0) return 0;
  await ctx.db.insert(healthCheckResults).values(rows);
  return rows.length;
}
