import { and, asc, gt, gte, inArray, lte, or, type SQL, sql } from "drizzle-orm";
import { auditLog, hosts, jobHosts, jobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { type CrlStatus, crlStatusSql } from "./host-crl.service";
import {
  type Compliance,
  complianceRule,
  complianceSql,
  type HostHealth,
  hostHealthSql,
  lastPatchAtSql,
  overdueSecuritySql,
  PATCH_JOB_KINDS,
  rebootRequiredSql,
} from "./host-signals";
import { HOST_ID, type ReportScope, scopeWhere } from "./report-scope";

/** A report period in epoch ms (either end open). */
export interface Period {
  from?: number | undefined;
  to?: number | undefined;
}

export interface ComplianceRow {
  id: string;
  name: string;
  fqdn: string;
  displayName: string;
  groups: string;
  osName: string;
  agentVersion: string;
  health: HostHealth;
  lastSeenAt: number | null;
  pendingUpdates: number;
  lastPatchAt: number | null;
  /** Pending security updates; of those, past the grace period; when the oldest was first seen. */
  securityPending: number;
  securityOverdue: number;
  oldestSecurityAt: number | null;
  rebootRequired: number;
  compliance: Compliance;
  crlStatus: CrlStatus;
}

const id = HOST_ID;
const groupsOf = sql<string>`COALESCE((SELECT group_concat(g.name, '; ') FROM host_groups hg JOIN groups g ON g.id = hg.group_id WHERE hg.host_id = ${HOST_ID}), '')`;

/** Every host of the scope with its compliance, by fqdn then id; keyset pages of `pageSize`. */
export async function* iterateComplianceRows(
  ctx: DomainContext,
  scope: ReportScope,
  pageSize = 1000,
): AsyncGenerator<ComplianceRow[]> {
  let cursor: { fqdn: string; id: string } | undefined;
  const rule = await complianceRule(ctx);
  for (;;) {
    const where: (SQL | undefined)[] = [scopeWhere(scope)];
    if (cursor)
      where.push(or(gt(hosts.fqdn, cursor.fqdn), and(sql`${hosts.fqdn} = ${cursor.fqdn}`, gt(hosts.id, cursor.id))));
    const rows = await ctx.db
      .select({
        id: hosts.id,
        name: hosts.name,
        fqdn: hosts.fqdn,
        displayName: hosts.displayName,
        groups: groupsOf,
        osName: hosts.osName,
        agentVersion: hosts.agentVersion,
        health: hostHealthSql(id, sql.raw('"hosts"."online"'), sql.raw('"hosts"."last_seen_at"')),
        lastSeenAt: hosts.lastSeenAt,
        pendingUpdates: hosts.patchesMissing,
        lastPatchAt: lastPatchAtSql(id),
        securityPending: sql<number>`(SELECT count(*) FROM host_updates hu WHERE hu.host_id = ${id} AND hu.security = 'true')`,
        securityOverdue: overdueSecuritySql(id, rule),
        oldestSecurityAt: sql<
          number | null
        >`(SELECT min(hu.first_seen_at) FROM host_updates hu WHERE hu.host_id = ${id} AND hu.security = 'true')`,
        rebootRequired: rebootRequiredSql(id),
        compliance: complianceSql(id, rule),
        crlStatus: crlStatusSql(id),
      })
      .from(hosts)
      .where(and(...where))
      .orderBy(asc(hosts.fqdn), asc(hosts.id))
      .limit(pageSize)
      .all();
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    cursor = { fqdn: last.fqdn, id: last.id };
  }
}

export interface PatchHistoryRow {
  jobId: string;
  kind: string;
  jobStatus: string;
  createdBy: string | null;
  createdAt: number;
  hostId: string;
  hostName: string;
  hostStatus: string;
  exitCode: number | null;
  startedAt: number | null;
  completedAt: number | null;
  error: string | null;
}

/** Patch jobs (apply, remove, rollback) of the period per target host in scope, oldest first. */
export async function* iteratePatchHistory(
  ctx: DomainContext,
  scope: ReportScope,
  period: Period,
  pageSize = 1000,
): AsyncGenerator<PatchHistoryRow[]> {
  let cursor: { createdAt: number; id: string } | undefined;
  for (;;) {
    const where: (SQL | undefined)[] = [
      inArray(jobs.kind, [...PATCH_JOB_KINDS]),
      scopeWhere(scope, sql.raw('"job_hosts"."host_id"')),
    ];
    if (period.from !== undefined) where.push(gte(jobs.createdAt, period.from));
    if (period.to !== undefined) where.push(lte(jobs.createdAt, period.to));
    if (cursor)
      where.push(
        or(
          gt(jobs.createdAt, cursor.createdAt),
          and(sql`${jobs.createdAt} = ${cursor.createdAt}`, gt(jobHosts.id, cursor.id)),
        ),
      );
    const rows = await ctx.db
      .select({
        rowId: jobHosts.id,
        jobId: jobs.id,
        kind: jobs.kind,
        jobStatus: jobs.status,
        createdBy: jobs.createdBy,
        createdAt: jobs.createdAt,
        hostId: jobHosts.hostId,
        hostName: jobHosts.hostName,
        hostStatus: jobHosts.status,
        exitCode: jobHosts.exitCode,
        startedAt: jobHosts.startedAt,
        completedAt: jobHosts.completedAt,
        error: jobHosts.error,
      })
      .from(jobHosts)
      .innerJoin(jobs, sql`${jobs.id} = ${jobHosts.jobId}`)
      .where(and(...where))
      .orderBy(asc(jobs.createdAt), asc(jobHosts.id))
      .limit(pageSize)
      .all();
    if (rows.length === 0) return;
    yield rows.map(({ rowId: _, ...r }) => r);
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    cursor = { createdAt: last.createdAt, id: last.rowId };
  }
}

export type AuditRow = typeof auditLog.$inferSelect;

/** Audit entries of the period in ledger insertion order (`seq`). */
export async function* iterateAuditPeriod(
  ctx: DomainContext,
  period: Period,
  pageSize = 1000,
): AsyncGenerator<AuditRow[]> {
  let after = 0;
  for (;;) {
    const where: SQL[] = [gt(auditLog.seq, after)];
    if (period.from !== undefined) where.push(gte(auditLog.at, period.from));
    if (period.to !== undefined) where.push(lte(auditLog.at, period.to));
    const rows = await ctx.db
      .select()
      .from(auditLog)
      .where(and(...where))
      .orderBy(asc(auditLog.seq))
      .limit(pageSize)
      .all();
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = last.seq;
  }
}
