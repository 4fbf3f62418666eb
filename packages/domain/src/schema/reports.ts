import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, id, json, ms } from "./columns";

/** Counts per bucket, e.g. `{"0-7d": 12, ">90d": 1, "unknown": 3}`. */
export type Buckets = Record<string, number>;

/**
 * Compliance history for charts (docs/reports.md): one row per scope (the
 * whole fleet, `group_id` null, or one group) per snapshot. Taken daily by the
 * cron and on change (a host's compliance changed since the scope's last
 * snapshot); rows older than the retention (≥ 400 days) are pruned.
 */
export const complianceSnapshots = sqliteTable(
  "compliance_snapshots",
  {
    id: id(),
    /** "fleet" or the group id: one key for the index and the "latest per scope" lookup. */
    scope: text("scope").notNull(),
    groupId: text("group_id"),
    takenAt: ms("taken_at").notNull(),
    reason: text("reason", { enum: ["daily", "change"] }).notNull(),
    totalHosts: integer("total_hosts").notNull(),
    compliant: integer("compliant").notNull(),
    nonCompliant: integer("non_compliant").notNull(),
    unknown: integer("unknown").notNull(),
    compliancePct: real("compliance_pct").notNull(),
    totalPending: integer("total_pending").notNull(),
    pendingBySeverity: json<Buckets>("pending_by_severity").notNull(),
    patchAge: json<Buckets>("patch_age").notNull(),
    lastSeen: json<Buckets>("last_seen").notNull(),
    /**
     * Distinct open CVEs on the scope's hosts by severity (critical, high, medium, low, unknown);
     * null in snapshots taken before they were counted.
     */
    cvesBySeverity: json<Buckets>("cves_by_severity"),
    createdAt: createdAt(),
  },
  (t) => [index("compliance_snapshots_scope").on(t.scope, t.takenAt)],
);
