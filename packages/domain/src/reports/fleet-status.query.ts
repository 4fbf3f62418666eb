import { sql } from "drizzle-orm";
import { healthCheckStatusSql } from "../patching/health-checks.service";
import { hosts } from "../schema";
import type { DomainContext } from "../shared/context";
import { crlStatusSql } from "./host-crl.service";
import {
  type ComplianceRule,
  compliancePct,
  complianceRule,
  complianceSql,
  hostHealthSql,
  rebootRequiredSql,
} from "./host-signals";
import { HOST_ID, type ReportScope, scopeWhere } from "./report-scope";

/** `GET /status/fleet` (linux-patch-manager.md §4 "Status/reports"). */
export interface FleetStatus {
  total_hosts: number;
  healthy: number;
  degraded: number;
  unreachable: number;
  pending: number;
  total_pending_patches: number;
  hosts_requiring_reboot: number;
  compliance_pct: number;
  crl_valid: number;
  crl_expired: number;
  crl_missing: number;
  crl_invalid: number;
  crl_not_reporting: number;
  failed_health_checks: number;
  /** Extensions: the compliance split behind compliance_pct. */
  compliant: number;
  non_compliant: number;
  compliance_unknown: number;
  /** The grace period the split was judged with (setting `compliance.grace_period_days`). */
  compliance_grace_period_days: number;
}

const id = HOST_ID;

/** The per-host signals of a scope, as a subquery. */
export function scopedHostSignals(ctx: DomainContext, scope: ReportScope, rule: ComplianceRule) {
  return ctx.db
    .select({
      id: hosts.id,
      health: hostHealthSql(id, sql.raw('"hosts"."online"'), sql.raw('"hosts"."last_seen_at"')).as("health"),
      compliance: complianceSql(id, rule).as("compliance"),
      reboot: rebootRequiredSql(id).as("reboot"),
      checks: healthCheckStatusSql(id).as("checks"),
      crl: crlStatusSql(id).as("crl"),
      pending: hosts.patchesMissing,
      lastSeenAt: hosts.lastSeenAt,
    })
    .from(hosts)
    .where(scopeWhere(scope))
    .as("h");
}

/**
 * The fleet's status over the hosts the caller may see (docs/reports.md defines
 * every figure), crl_* from the CRL each agent reports holding (`crlStatusSql`).
 */
export async function fleetStatus(ctx: DomainContext, scope: ReportScope): Promise<FleetStatus> {
  const rule = await complianceRule(ctx);
  const h = scopedHostSignals(ctx, scope, rule);
  const n = (cond: ReturnType<typeof sql>) => sql<number>`coalesce(sum(CASE WHEN ${cond} THEN 1 ELSE 0 END), 0)`;
  const row = await ctx.db
    .select({
      total: sql<number>`count(*)`,
      healthy: n(sql`${h.health} = 'healthy'`),
      degraded: n(sql`${h.health} = 'degraded'`),
      unreachable: n(sql`${h.health} = 'unreachable'`),
      pending: n(sql`${h.health} = 'pending'`),
      totalPending: sql<number>`coalesce(sum(${h.pending}), 0)`,
      compliant: n(sql`${h.compliance} = 'compliant'`),
      nonCompliant: n(sql`${h.compliance} = 'non_compliant'`),
      unknown: n(sql`${h.compliance} = 'unknown'`),
      failedChecks: n(sql`${h.checks} = 'some_unhealthy'`),
      reboot: sql<number>`coalesce(sum(${h.reboot}), 0)`,
      crlValid: n(sql`${h.crl} = 'valid'`),
      crlExpired: n(sql`${h.crl} = 'expired'`),
      crlMissing: n(sql`${h.crl} = 'missing'`),
      crlInvalid: n(sql`${h.crl} = 'invalid'`),
      crlNotReporting: n(sql`${h.crl} = 'not_reporting'`),
    })
    .from(h)
    .get();
  const total = row?.total ?? 0;
  const compliant = row?.compliant ?? 0;
  const nonCompliant = row?.nonCompliant ?? 0;
  return {
    total_hosts: total,
    healthy: row?.healthy ?? 0,
    degraded: row?.degraded ?? 0,
    unreachable: row?.unreachable ?? 0,
    pending: row?.pending ?? 0,
    total_pending_patches: row?.totalPending ?? 0,
    hosts_requiring_reboot: row?.reboot ?? 0,
    compliance_pct: compliancePct(compliant, nonCompliant),
    crl_valid: row?.crlValid ?? 0,
    crl_expired: row?.crlExpired ?? 0,
    crl_missing: row?.crlMissing ?? 0,
    crl_invalid: row?.crlInvalid ?? 0,
    crl_not_reporting: row?.crlNotReporting ?? 0,
    failed_health_checks: row?.failedChecks ?? 0,
    compliant,
    non_compliant: nonCompliant,
    compliance_unknown: row?.unknown ?? 0,
    compliance_grace_period_days: rule.graceDays,
  };
}
