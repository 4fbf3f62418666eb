import { z } from "zod";

/**
 * `GET /api/v1/status/history` (fleet and per-group snapshots for charts). This build's
 * generated API types may predate it, so its answer is validated here at the boundary.
 */
const Buckets = z.record(z.string(), z.number());
export const HistoryPoint = z.object({
  taken_at: z.string(),
  total_hosts: z.number(),
  compliant: z.number(),
  non_compliant: z.number(),
  unknown: z.number(),
  compliance_pct: z.number(),
  total_pending: z.number(),
  pending_by_severity: Buckets,
  patch_age: Buckets,
  last_seen: Buckets,
  /** Open CVEs by severity; null in snapshots taken before they were counted (absent from older servers). */
  cves_by_severity: Buckets.nullable().optional(),
});
export const StatusHistory = z.object({ points: z.array(HistoryPoint) });
export type HistoryPoint = z.infer<typeof HistoryPoint>;

export interface HistorySeries {
  x: number[];
  compliance: number[];
  severities: { label: string; values: number[] }[];
}

/** The chart series of a history: x in unix seconds, compliance %, pending updates per severity (stable order). */
export function historySeries(points: HistoryPoint[]): HistorySeries {
  const sorted = [...points].sort((a, b) => Date.parse(a.taken_at) - Date.parse(b.taken_at));
  const keys = [...new Set(sorted.flatMap((p) => Object.keys(p.pending_by_severity)))].sort(bySeverity);
  return {
    x: sorted.map((p) => Math.floor(Date.parse(p.taken_at) / 1000)),
    compliance: sorted.map((p) => p.compliance_pct),
    severities: keys.map((k) => ({ label: k, values: sorted.map((p) => p.pending_by_severity[k] ?? 0) })),
  };
}

/** The severities of `cves_by_severity`, most severe first (the server's set). */
export const CVE_SEVERITIES = ["critical", "high", "medium", "low", "unknown"] as const;

/**
 * The open-CVEs-by-severity series: x in unix seconds, one series per severity (most severe first),
 * over the snapshots that counted CVEs (older ones, null, are left out rather than drawn as 0).
 */
export function cveSeries(points: HistoryPoint[]): { x: number[]; series: { label: string; values: number[] }[] } {
  const counted = points
    .flatMap((p) => (p.cves_by_severity ? [{ at: Date.parse(p.taken_at), cves: p.cves_by_severity }] : []))
    .sort((a, b) => a.at - b.at);
  return {
    x: counted.map((p) => Math.floor(p.at / 1000)),
    series: CVE_SEVERITIES.map((s) => ({ label: s, values: counted.map((p) => p.cves[s] ?? 0) })),
  };
}

const ORDER = ["critical", "high", "security", "medium", "low", "unknown", "other"];
function bySeverity(a: string, b: string): number {
  const ia = ORDER.indexOf(a);
  const ib = ORDER.indexOf(b);
  return (ia === -1 ? ORDER.length : ia) - (ib === -1 ? ORDER.length : ib) || a.localeCompare(b);
}

/** The server's age buckets (`docs/reports.md` "History"), youngest first. */
export const AGE_BUCKETS = ["0-1d", "1-7d", "7-30d", "30-90d", ">90d", "never"] as const;

/** How many hosts were in each age bucket at the latest snapshot (every bucket, 0 when absent); undefined without points. */
export function latestAges(points: HistoryPoint[], key: "patch_age" | "last_seen"): number[] | undefined {
  const latest = points.reduce<HistoryPoint | undefined>(
    (a, p) => (a === undefined || Date.parse(p.taken_at) > Date.parse(a.taken_at) ? p : a),
    undefined,
  );
  return latest && AGE_BUCKETS.map((b) => latest[key][b] ?? 0);
}
