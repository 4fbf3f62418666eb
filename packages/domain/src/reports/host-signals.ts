import { type SQL, sql } from "drizzle-orm";
import { healthCheckStatusSql } from "../patching/health-checks.service";
import { cachedSettings, DEFAULT_SETTINGS } from "../settings/settings.service";
import type { DomainContext } from "../shared/context";

/**
 * Per-host signals the status page and the reports are computed from, as SQL
 * expressions over a `hosts` row (docs/reports.md defines each one).
 */

/** Default grace period of the compliance rule, in days (setting `compliance.grace_period_days`; docs/reports.md). */
export const COMPLIANCE_GRACE_DAYS = DEFAULT_SETTINGS.compliance.grace_period_days;

/** Job kinds that change a host's packages: the patch history and the patch age count these. */
export const PATCH_JOB_KINDS = ["patch_apply", "patch_remove", "rollback"] as const;
const patchKinds = sql.raw(PATCH_JOB_KINDS.map((k) => `'${k}'`).join(","));

export type HostHealth = "pending" | "healthy" | "degraded" | "unreachable";
export type Compliance = "compliant" | "non_compliant" | "unknown";

/**
 * health_status from real signals: `pending` until the agent first connected;
 * `unreachable` while its agent is not connected; `degraded` when connected but
 * the latest result of an enabled health check failed; otherwise `healthy`.
 */
export function hostHealthSql(id: SQL, online: SQL, lastSeenAt: SQL): SQL<HostHealth> {
  return sql<HostHealth>`(CASE WHEN ${lastSeenAt} IS NULL THEN 'pending'
    WHEN ${online} = 0 THEN 'unreachable'
    WHEN ${healthCheckStatusSql(id)} = 'some_unhealthy' THEN 'degraded'
    ELSE 'healthy' END)`;
}

/** The compliance rule's inputs at one instant: the grace period and the cutoff it gives. */
export interface ComplianceRule {
  graceDays: number;
  /** A pending security update first seen at or before this instant (epoch ms) is overdue. */
  cutoff: number;
}

/** The compliance rule in force at `ctx.now()` (the `compliance.grace_period_days` setting). */
export async function complianceRule(ctx: Pick<DomainContext, "db" | "keys" | "now">): Promise<ComplianceRule> {
  const graceDays = (await cachedSettings(ctx)).compliance.grace_period_days;
  return { graceDays, cutoff: ctx.now() - graceDays * 86_400_000 };
}

/**
 * Compliance of one host under `rule` (docs/reports.md "Compliance"): `unknown` while its agent
 * never reported an inventory (nothing can be said); `non_compliant` when it has a pending
 * security update (`host_updates.security = 'true'`) first seen more than the grace period
 * ago; else `compliant` (pending non-security updates, security updates within the grace
 * period and updates whose security is unknown do not make a host non-compliant).
 */
export function complianceSql(id: SQL, rule: ComplianceRule): SQL<Compliance> {
  return sql<Compliance>`(CASE WHEN NOT EXISTS (SELECT 1 FROM host_patch_state ps WHERE ps.host_id = ${id}) THEN 'unknown'
    WHEN EXISTS (SELECT 1 FROM host_updates hu WHERE hu.host_id = ${id} AND hu.security = 'true'
      AND hu.first_seen_at <= ${rule.cutoff}) THEN 'non_compliant'
    ELSE 'compliant' END)`;
}

/** 1 when the host's last inventory said a reboot is required, else 0. */
export function rebootRequiredSql(id: SQL): SQL<number> {
  return sql<number>`coalesce((SELECT ps.reboot_required FROM host_patch_state ps WHERE ps.host_id = ${id}), 0)`;
}

/** Pending security updates of the host that are past the grace period (0 when none or unknown). */
export function overdueSecuritySql(id: SQL, rule: ComplianceRule): SQL<number> {
  return sql<number>`(SELECT count(*) FROM host_updates hu WHERE hu.host_id = ${id} AND hu.security = 'true'
      AND hu.first_seen_at <= ${rule.cutoff})`;
}

/** When the host last completed a patch job successfully (null: never). */
export function lastPatchAtSql(id: SQL): SQL<number | null> {
  return sql<number | null>`(SELECT max(jh.completed_at) FROM job_hosts jh JOIN jobs j ON j.id = jh.job_id
    WHERE jh.host_id = ${id} AND jh.status = 'succeeded' AND j.kind IN (${patchKinds}))`;
}

/** Bucket of a duration in days; `never` when there is no timestamp. */
export function ageBucket(now: number, at: number | null): string {
  if (at === null) return "never";
  const days = (now - at) / 86_400_000;
  if (days <= 1) return "0-1d";
  if (days <= 7) return "1-7d";
  if (days <= 30) return "7-30d";
  if (days <= 90) return "30-90d";
  return ">90d";
}
export const AGE_BUCKETS = ["0-1d", "1-7d", "7-30d", "30-90d", ">90d", "never"] as const;

/** One decimal; 100.0 when nothing is known (the reference's rule). */
export function compliancePct(compliant: number, nonCompliant: number): number {
  const known = compliant + nonCompliant;
  return known === 0 ? 100 : Math.round((compliant / known) * 1000) / 10;
}
