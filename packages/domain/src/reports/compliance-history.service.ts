import { and, asc, desc, eq, gte, isNull, lt, lte, type SQL, sql } from "drizzle-orm";
import type { IdentityRow } from "../identity/users.service";
import { type Buckets, complianceSnapshots, groups, hosts, identityGroups } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { type CveSweepCache, newCveSweepCache, openCvesBySeverity } from "./cve-history.query";
import { AGE_BUCKETS, compliancePct, complianceRule, complianceSql, lastPatchAtSql } from "./host-signals";
import { HOST_ID, scopeWhere } from "./report-scope";

/** Snapshots are kept this long, then pruned by the cron (docs/reports.md "History"). */
export const HISTORY_RETENTION_DAYS = 400;
/** A change snapshot is taken at most once per this interval per scope (debounce). */
export const CHANGE_DEBOUNCE_MS = 3600_000;
const DAY_MS = 86_400_000;

export type SnapshotRow = typeof complianceSnapshots.$inferSelect;

/** The figures of one snapshot of a scope (the whole fleet, or one group). */
export interface SnapshotFigures {
  totalHosts: number;
  compliant: number;
  nonCompliant: number;
  unknown: number;
  compliancePct: number;
  totalPending: number;
  pendingBySeverity: Buckets;
  patchAge: Buckets;
  lastSeen: Buckets;
  /** Distinct open CVEs by severity (cve-history.query.ts). */
  cvesBySeverity: Buckets;
}

/** SQL: the age bucket (AGE_BUCKETS) of a timestamp expression at `now`. */
function bucketSql(at: SQL, now: number): SQL<string> {
  const d = (days: number) => now - days * DAY_MS;
  return sql<string>`(CASE WHEN ${at} IS NULL THEN 'never'
    WHEN ${at} >= ${d(1)} THEN '0-1d' WHEN ${at} >= ${d(7)} THEN '1-7d'
    WHEN ${at} >= ${d(30)} THEN '7-30d' WHEN ${at} >= ${d(90)} THEN '30-90d' ELSE '>90d' END)`;
}

/**
 * Computes a scope's figures now, over every host of the scope (snapshots are deployment-wide).
 * `cache`: shared by the scopes of one sweep.
 */
export async function snapshotFigures(
  ctx: DomainContext,
  groupId: string | undefined,
  cache: CveSweepCache = newCveSweepCache(),
): Promise<SnapshotFigures> {
  const now = ctx.now();
  const where = scopeWhere({ visibility: { kind: "all" }, groupId });
  const rule = await complianceRule(ctx);
  const h = ctx.db
    .select({
      compliance: complianceSql(HOST_ID, rule).as("compliance"),
      patchAge: bucketSql(lastPatchAtSql(HOST_ID), now).as("patch_age"),
      lastSeen: bucketSql(sql.raw('"hosts"."last_seen_at"'), now).as("last_seen"),
      pending: hosts.patchesMissing,
      security:
        sql<number>`(SELECT count(*) FROM host_updates hu WHERE hu.host_id = ${HOST_ID} AND hu.security = 'true')`.as(
          "security",
        ),
      securityUnknown:
        sql<number>`(SELECT count(*) FROM host_updates hu WHERE hu.host_id = ${HOST_ID} AND hu.security = 'unknown')`.as(
          "security_unknown",
        ),
      updates: sql<number>`(SELECT count(*) FROM host_updates hu WHERE hu.host_id = ${HOST_ID})`.as("updates"),
    })
    .from(hosts)
    .where(where)
    .as("h");
  const n = (cond: SQL) => sql<number>`coalesce(sum(CASE WHEN ${cond} THEN 1 ELSE 0 END), 0)`;
  const bucketCols = (col: SQL, prefix: string) =>
    Object.fromEntries(AGE_BUCKETS.map((b) => [`${prefix}${b}`, n(sql`${col} = ${b}`)]));
  const row = (await ctx.db
    .select({
      total: sql<number>`count(*)`,
      compliant: n(sql`${h.compliance} = 'compliant'`),
      nonCompliant: n(sql`${h.compliance} = 'non_compliant'`),
      unknown: n(sql`${h.compliance} = 'unknown'`),
      totalPending: sql<number>`coalesce(sum(${h.pending}), 0)`,
      security: sql<number>`coalesce(sum(${h.security}), 0)`,
      securityUnknown: sql<number>`coalesce(sum(${h.securityUnknown}), 0)`,
      updates: sql<number>`coalesce(sum(${h.updates}), 0)`,
      ...bucketCols(sql`${h.patchAge}`, "p:"),
      ...bucketCols(sql`${h.lastSeen}`, "s:"),
    })
    .from(h)
    .get()) as Record<string, number> | undefined;
  const v = (k: string) => Number(row?.[k] ?? 0);
  const compliant = v("compliant");
  const nonCompliant = v("nonCompliant");
  return {
    totalHosts: v("total"),
    compliant,
    nonCompliant,
    unknown: v("unknown"),
    compliancePct: compliancePct(compliant, nonCompliant),
    totalPending: v("totalPending"),
    pendingBySeverity: {
      security: v("security"),
      other: v("updates") - v("security") - v("securityUnknown"),
      unknown: v("securityUnknown"),
    },
    patchAge: Object.fromEntries(AGE_BUCKETS.map((b) => [b, v(`p:${b}`)])),
    lastSeen: Object.fromEntries(AGE_BUCKETS.map((b) => [b, v(`s:${b}`)])),
    cvesBySeverity: await openCvesBySeverity(ctx, groupId, cache),
  };
}

const scopeKey = (groupId: string | undefined) => groupId ?? "fleet";

/** The scope's latest snapshot taken at or before `now`. */
async function latestSnapshot(ctx: DomainContext, groupId: string | undefined): Promise<SnapshotRow | undefined> {
  return ctx.db
    .select()
    .from(complianceSnapshots)
    .where(and(eq(complianceSnapshots.scope, scopeKey(groupId)), lte(complianceSnapshots.takenAt, ctx.now())))
    .orderBy(desc(complianceSnapshots.takenAt))
    .limit(1)
    .get();
}

const sameFigures = (a: SnapshotRow, b: SnapshotFigures) =>
  a.totalHosts === b.totalHosts &&
  a.compliant === b.compliant &&
  a.nonCompliant === b.nonCompliant &&
  a.unknown === b.unknown &&
  a.totalPending === b.totalPending &&
  JSON.stringify(a.pendingBySeverity) === JSON.stringify(b.pendingBySeverity) &&
  JSON.stringify(a.cvesBySeverity) === JSON.stringify(b.cvesBySeverity);

/**
 * Takes the snapshots that are due for one scope: a `daily` one when the scope has none yet
 * this UTC day; otherwise a `change` one when its compliance, pending or open-CVE figures differ
 * from its latest snapshot and that one is older than CHANGE_DEBOUNCE_MS. Returns what it wrote.
 */
export async function snapshotScope(
  ctx: DomainContext,
  groupId: string | undefined,
  cache: CveSweepCache = newCveSweepCache(),
): Promise<"daily" | "change" | null> {
  const now = ctx.now();
  const [latest, figures] = await Promise.all([latestSnapshot(ctx, groupId), snapshotFigures(ctx, groupId, cache)]);
  const dayStart = now - (now % DAY_MS);
  let reason: "daily" | "change" | null = null;
  if (!latest || latest.takenAt < dayStart) {
    const dailyToday = await ctx.db
      .select({ id: complianceSnapshots.id })
      .from(complianceSnapshots)
      .where(
        and(
          eq(complianceSnapshots.scope, scopeKey(groupId)),
          eq(complianceSnapshots.reason, "daily"),
          gte(complianceSnapshots.takenAt, dayStart),
          lt(complianceSnapshots.takenAt, dayStart + DAY_MS),
        ),
      )
      .get();
    if (!dailyToday) reason = "daily";
  }
  if (!reason && latest && !sameFigures(latest, figures) && now - latest.takenAt >= CHANGE_DEBOUNCE_MS)
    reason = "change";
  if (!reason) return null;
  await ctx.db.insert(complianceSnapshots).values({
    id: crypto.randomUUID(),
    scope: scopeKey(groupId),
    groupId: groupId ?? null,
    takenAt: now,
    reason,
    ...figures,
    createdAt: now,
  });
  return reason;
}

/**
 * The cron's history sweep: due snapshots of the whole fleet and of every group, then
 * snapshots older than the retention pruned. Returns how many snapshots it took.
 */
export async function recordComplianceHistory(ctx: DomainContext): Promise<{ taken: number; pruned: number }> {
  let taken = 0;
  const cache = newCveSweepCache();
  if (await snapshotScope(ctx, undefined, cache)) taken++;
  const all = await ctx.db.select({ id: groups.id }).from(groups).orderBy(asc(groups.id)).all();
  for (const g of all) if (await snapshotScope(ctx, g.id, cache)) taken++;
  const cutoff = ctx.now() - HISTORY_RETENTION_DAYS * DAY_MS;
  const pruned = await ctx.db
    .delete(complianceSnapshots)
    .where(lt(complianceSnapshots.takenAt, cutoff))
    .returning({ id: complianceSnapshots.id })
    .all();
  return { taken, pruned: pruned.length };
}

export interface HistoryQuery {
  from: number;
  to: number;
  groupId?: string | undefined;
}

/**
 * `GET /status/history`: the snapshots of the fleet (admins only: it counts every host; others
 * must pass group_id, 400) or of one group (admins; others only for a group they belong to, else
 * 404 as for an unknown group), oldest first.
 */
export async function complianceHistory(
  ctx: DomainContext,
  identity: Pick<IdentityRow, "id" | "role">,
  q: HistoryQuery,
): Promise<SnapshotRow[]> {
  if (q.from > q.to) throw new DomainError("common.validation", "from must not be after to");
  if (q.groupId) {
    const group = await ctx.db.select({ id: groups.id }).from(groups).where(eq(groups.id, q.groupId)).get();
    const member =
      identity.role === "admin" ||
      (await ctx.db
        .select({ g: identityGroups.groupId })
        .from(identityGroups)
        .where(and(eq(identityGroups.groupId, q.groupId), eq(identityGroups.identityId, identity.id)))
        .get());
    if (!group || !member) throw new DomainError("common.not_found", "Group not found");
  } else if (identity.role !== "admin") {
    // Not a 403: the route's permission (read) is granted; the request lacks the scope a non-admin may ask for.
    throw new DomainError(
      "common.validation",
      "group_id is required: the fleet-wide history counts every host (admins only)",
    );
  }
  return ctx.db
    .select()
    .from(complianceSnapshots)
    .where(
      and(
        q.groupId ? eq(complianceSnapshots.scope, q.groupId) : eq(complianceSnapshots.scope, "fleet"),
        q.groupId ? undefined : isNull(complianceSnapshots.groupId),
        gte(complianceSnapshots.takenAt, q.from),
        lte(complianceSnapshots.takenAt, q.to),
      ),
    )
    .orderBy(asc(complianceSnapshots.takenAt))
    .limit(10_000)
    .all();
}
