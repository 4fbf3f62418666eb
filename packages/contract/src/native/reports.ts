import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";
import { ExportRequest } from "./tasks";

/** Fleet status, reports and compliance history (linux-patch-manager.md §4 "Status/reports"; docs/reports.md). */

export const ReportType = z.enum(["compliance", "patch-history", "vulnerability", "audit"]);
export const ReportTypeParam = z.object({ type: ReportType.openapi({ param: { name: "type", in: "path" } }) });

/** A calendar date (`2026-01-31`, UTC midnight) or an RFC 3339 date-time. */
const Instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).openapi({ example: "2026-01-01" });

/** The period and group of a report or of the history; from ≤ to. */
export const ReportFilters = z
  .object({
    from: Instant.optional(),
    to: Instant.optional(),
    group_id: Uuid.optional(),
  })
  .strict();

export const ReportQuery = z.object({
  format: z.enum(["csv", "pdf"]).default("csv"),
  from: Instant.optional(),
  to: Instant.optional(),
  group_id: Uuid.optional(),
});

/** `POST /api/v1/exports` for a report: the same file, through the task queue. */
export const ReportExportRequest = z
  .object({
    kind: z.enum(["report:compliance", "report:patch-history", "report:vulnerability", "report:audit"]),
    format: z.enum(["csv", "pdf"]).default("pdf"),
    filters: ReportFilters.prefault({}),
  })
  .strict()
  .openapi("ReportExportRequest");
export type ReportExportRequest = z.infer<typeof ReportExportRequest>;

export const FleetStatus = z
  .object({
    total_hosts: z.number().int(),
    healthy: z.number().int(),
    degraded: z.number().int(),
    unreachable: z.number().int(),
    pending: z.number().int(),
    total_pending_patches: z.number().int(),
    hosts_requiring_reboot: z.number().int(),
    compliance_pct: z.number().openapi({ description: "One decimal; 100.0 when no host's compliance is known" }),
    crl_valid: z.number().int(),
    crl_expired: z.number().int(),
    crl_missing: z.number().int(),
    crl_invalid: z.number().int(),
    crl_not_reporting: z.number().int(),
    failed_health_checks: z.number().int().openapi({ description: "Hosts whose latest health-check result failed" }),
    compliant: z.number().int(),
    non_compliant: z.number().int(),
    compliance_unknown: z.number().int(),
    compliance_grace_period_days: z.number().int().openapi({
      description: "The grace period compliance was judged with (setting compliance.grace_period_days)",
    }),
  })
  .openapi("FleetStatus");

export const FleetStatusQuery = z.object({ group_id: Uuid.optional() });

export const CaHealth = z
  .object({
    overall: z.enum(["healthy", "warning", "critical"]),
    web_tls: z.object({
      cn: z.string(),
      sans: z.array(z.string()),
      expiry: Timestamp.nullable().openapi({
        description: "null on Cloudflare: the edge certificate is not visible to the Worker",
      }),
      days_until_expiry: z.number().int().nullable(),
      is_fqdn: z.boolean(),
      error: z.string().nullable(),
    }),
    crl: z.object({
      status: z.enum(["valid", "expiring", "expired", "missing", "invalid"]),
      revoked_count: z.number().int(),
      next_update: Timestamp.nullable(),
      error: z.string().nullable(),
    }),
  })
  .openapi("CaHealth");

const Buckets = z.record(z.string(), z.number().int());

export const HistoryPoint = z
  .object({
    taken_at: Timestamp,
    reason: z.enum(["daily", "change"]),
    total_hosts: z.number().int(),
    compliant: z.number().int(),
    non_compliant: z.number().int(),
    unknown: z.number().int(),
    compliance_pct: z.number(),
    total_pending: z.number().int(),
    pending_by_severity: Buckets,
    patch_age: Buckets,
    last_seen: Buckets,
    cves_by_severity: Buckets.nullable().openapi({
      description:
        "Distinct open CVEs on the scope's hosts by severity (critical, high, medium, low, unknown): CVE ids of pending updates and OSV matches, each counted once, rated by the imported OSV records. null for snapshots taken before CVEs were counted.",
    }),
  })
  .openapi("HistoryPoint");

export const StatusHistoryQuery = z.object({
  from: Instant.optional(),
  to: Instant.optional(),
  group_id: Uuid.optional(),
});

export const StatusHistory = z
  .object({
    group_id: Uuid.nullable(),
    from: Timestamp,
    to: Timestamp,
    points: z.array(HistoryPoint),
  })
  .openapi("StatusHistory");

/** The body of `POST /api/v1/exports`: a list export or a report. */
export const ExportOrReportRequest = z
  .discriminatedUnion("kind", [...ExportRequest.options, ReportExportRequest])
  .openapi("ExportOrReportRequest");
export const isReportExport = (b: ExportRequest | ReportExportRequest): b is ReportExportRequest =>
  b.kind.startsWith("report:");
