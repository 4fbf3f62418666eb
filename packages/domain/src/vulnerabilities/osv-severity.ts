import { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } from "ae-cvss-calculator";

/**
 * The severity of a vulnerability as the history counts it (docs/reports.md "History"): the four
 * qualitative CVSS ratings; "unknown" when no source rates it. CVSS "none" (0.0) counts as low.
 */
export const CVE_SEVERITIES = ["critical", "high", "medium", "low", "unknown"] as const;
export type CveSeverity = (typeof CVE_SEVERITIES)[number];
/** A rated severity (what osv_vulns.severity stores; null there = unknown). */
export type RatedSeverity = Exclude<CveSeverity, "unknown">;

const RANK: Record<RatedSeverity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** The higher of two severities (null = unrated). */
export function maxSeverity(a: RatedSeverity | null, b: RatedSeverity | null): RatedSeverity | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * A distribution's or database's qualitative label: Red Hat / AlmaLinux / Rocky (Critical,
 * Important, Moderate, Low), GitHub (CRITICAL, HIGH, MODERATE, LOW), Ubuntu (critical, high, medium,
 * low, negligible), Debian urgency (high, medium, low, unimportant; a trailing `*` or `**` marks
 * a guess of the tracker). Anything else ("not yet assigned", "end-of-life", …) is no rating.
 */
export function labelSeverity(label: string): RatedSeverity | null {
  const l = label.trim().toLowerCase().replace(/\*+$/, "").trim();
  if (l === "critical") return "critical";
  if (l === "high" || l === "important") return "high";
  if (l === "medium" || l === "moderate") return "medium";
  if (l === "low" || l === "negligible" || l === "unimportant") return "low";
  return null;
}

const BASE_METRICS: Record<string, string[]> = {
  "2.0": ["AV", "AC", "Au", "C", "I", "A"],
  "3": ["AV", "AC", "PR", "UI", "S", "C", "I", "A"],
  "4.0": ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"],
};

/**
 * The qualitative rating of a CVSS base score (FIRST's table for 3.x and 4.0; NVD's for 2.0, which
 * has no critical) from a vector, scored by ae-cvss-calculator; null when the vector does not parse
 * or lacks a base metric (a partial vector is never scored as 0).
 */
export function cvssSeverity(type: string, vector: string): RatedSeverity | null {
  let version: "2.0" | "3" | "4.0";
  let scored: { base?: number; vector: string } | undefined;
  try {
    if (type === "CVSS_V2") {
      version = "2.0";
      scored = new Cvss2(vector).calculateScores();
    } else if (type === "CVSS_V3") {
      version = "3";
      scored = (vector.startsWith("CVSS:3.0/") ? new Cvss3P0(vector) : new Cvss3P1(vector)).calculateScores();
    } else if (type === "CVSS_V4") {
      version = "4.0";
      scored = new Cvss4P0(vector).calculateScores();
    } else return null;
  } catch {
    return null;
  }
  const given = new Map(
    scored.vector
      .split("/")
      .map((part) => part.split(":"))
      .filter((kv): kv is [string, string] => kv.length === 2)
      .map(([k, v]) => [k, v] as const),
  );
  if (BASE_METRICS[version]?.some((m) => !given.has(m) || given.get(m) === "X")) return null;
  const score = scored.base;
  if (typeof score !== "number" || !Number.isFinite(score)) return null;
  if (version !== "2.0" && score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  return "low";
}

/** The parts of an OSV record that rate it (schema 1.x `severity`, `database_specific`, `ecosystem_specific`). */
export interface OsvSeverityParts {
  severity?: { type: string; score: string }[] | undefined;
  database_specific?: Record<string, unknown> | undefined;
  affected?:
    | {
        severity?: { type: string; score: string }[] | undefined;
        ecosystem_specific?: Record<string, unknown> | undefined;
        database_specific?: Record<string, unknown> | undefined;
      }[]
    | undefined;
}

const labelOf = (o: Record<string, unknown> | undefined, key: string): RatedSeverity | null => {
  const v = o?.[key];
  return typeof v === "string" ? labelSeverity(v) : null;
};

/**
 * A record's severity: the highest of what it states — CVSS vectors (record-level and per affected
 * package), Ubuntu's priority (`severity` of type `Ubuntu`), `database_specific.severity`, and per
 * affected package `ecosystem_specific.severity` / `.urgency` (Debian) and `database_specific.severity`.
 * Null (unknown) when it states none.
 */
export function osvSeverity(r: OsvSeverityParts): RatedSeverity | null {
  let out: RatedSeverity | null = null;
  const scores = (list: { type: string; score: string }[] | undefined) => {
    for (const s of list ?? [])
      out = maxSeverity(out, s.type === "Ubuntu" ? labelSeverity(s.score) : cvssSeverity(s.type, s.score));
  };
  scores(r.severity);
  out = maxSeverity(out, labelOf(r.database_specific, "severity"));
  for (const a of r.affected ?? []) {
    scores(a.severity);
    out = maxSeverity(out, labelOf(a.ecosystem_specific, "severity"));
    out = maxSeverity(out, labelOf(a.ecosystem_specific, "urgency"));
    out = maxSeverity(out, labelOf(a.database_specific, "severity"));
  }
  return out;
}
