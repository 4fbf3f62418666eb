import {
  type DomainContext,
  fleetStatus,
  iterateAuditPeriod,
  iterateComplianceRows,
  iteratePatchHistory,
  iterateVulnerabilityRows,
  osvFeedsInForce,
  type Period,
  type ReportScope,
  verifyAuditChain,
} from "@fleetgate/domain";
import type { Cell } from "../exports/sheets";
import type { ReportChart, ReportDocument, ReportType } from "./report-document";

/** What a report is asked for: its type, the caller's scope (visibility + group) and the period. */
export interface ReportRequest {
  type: ReportType;
  scope: ReportScope;
  period: Period;
  /** The group's name for the filter line (the id when unknown). */
  groupLabel?: string | undefined;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

async function* mapPages<T>(pages: AsyncIterable<T[]>, row: (t: T) => Cell[]): AsyncGenerator<Cell[][]> {
  for await (const page of pages) yield page.map(row);
}

function filterOf(req: ReportRequest): [string, string][] {
  const f: [string, string][] = [];
  if (req.groupLabel ?? req.scope.groupId) f.push(["group", req.groupLabel ?? req.scope.groupId ?? ""]);
  if (req.period.from !== undefined) f.push(["from", new Date(req.period.from).toISOString()]);
  if (req.period.to !== undefined) f.push(["to", new Date(req.period.to).toISOString()]);
  if (req.scope.visibility.kind === "member")
    f.push(["visibility", "hosts of the caller's groups and ungrouped hosts"]);
  return f;
}

const complianceNote = (graceDays: number) =>
  `A host is compliant when it has no pending security update first seen more than ${graceDays} days ago (the grace period); non-compliant when it has one; unknown while its agent never reported an inventory. Pending non-security updates, and updates whose repository has no advisory data, do not make a host non-compliant. Compliance % = compliant / (compliant + non-compliant), 100.0 when no host is known.`;

async function complianceReport(
  ctx: DomainContext,
  req: ReportRequest,
  charts: ReportChart[],
): Promise<ReportDocument> {
  const s = await fleetStatus(ctx, req.scope);
  return {
    type: "compliance",
    title: "Compliance report",
    filter: filterOf(req),
    generatedAt: ctx.now(),
    summary: [
      ["Hosts", s.total_hosts],
      ["Compliant", s.compliant],
      ["Non-compliant", s.non_compliant],
      ["Unknown (never reported)", s.compliance_unknown],
      ["Compliance", `${s.compliance_pct.toFixed(1)}%`],
      ["Pending updates (total)", s.total_pending_patches],
      ["Hosts requiring a reboot", s.hosts_requiring_reboot],
      ["Healthy / degraded / unreachable / pending", `${s.healthy} / ${s.degraded} / ${s.unreachable} / ${s.pending}`],
      ["Hosts with failing health checks", s.failed_health_checks],
      [
        "CRL valid / expired / missing / invalid / not reporting",
        `${s.crl_valid} / ${s.crl_expired} / ${s.crl_missing} / ${s.crl_invalid} / ${s.crl_not_reporting}`,
      ],
    ],
    notes: [complianceNote(s.compliance_grace_period_days)],
    charts: [
      {
        title: "Hosts by compliance",
        kind: "bar",
        labels: ["compliant", "non-compliant", "unknown"],
        series: [{ name: "hosts", values: [s.compliant, s.non_compliant, s.compliance_unknown] }],
      },
      ...charts,
    ],
    table: {
      title: "Hosts",
      columns: [
        "host_id",
        "name",
        "fqdn",
        "display_name",
        "groups",
        "os",
        "agent_version",
        "health_status",
        "last_seen_at",
        "pending_updates",
        "last_patch_at",
        "security_pending",
        "security_overdue",
        "oldest_security_first_seen_at",
        "reboot_required",
        "compliance",
        "crl_status",
      ],
      pages: mapPages(iterateComplianceRows(ctx, req.scope), (r) => [
        r.id,
        r.name,
        r.fqdn,
        r.displayName,
        r.groups,
        r.osName,
        r.agentVersion,
        r.health,
        iso(r.lastSeenAt),
        r.pendingUpdates,
        iso(r.lastPatchAt),
        r.securityPending,
        r.securityOverdue,
        r.oldestSecurityAt ? iso(r.oldestSecurityAt) : r.securityPending > 0 ? "before tracking" : null,
        r.rebootRequired === 1,
        r.compliance,
        r.crlStatus,
      ]),
    },
    widths: [2.4, 1.5, 2.1, 1.3, 1.3, 1.3, 0.8, 1, 1.7, 0.7, 1.7, 0.7, 0.7, 1.7, 0.7, 1.1, 1.1],
  };
}

async function patchHistoryReport(ctx: DomainContext, req: ReportRequest): Promise<ReportDocument> {
  // Totals first (one pass over the period), then the rows stream again for the table.
  const byStatus = new Map<string, number>();
  let total = 0;
  for await (const page of iteratePatchHistory(ctx, req.scope, req.period)) {
    for (const r of page) {
      byStatus.set(r.hostStatus, (byStatus.get(r.hostStatus) ?? 0) + 1);
      total++;
    }
  }
  const statuses = [...byStatus.keys()].sort();
  return {
    type: "patch-history",
    title: "Patch history report",
    filter: filterOf(req),
    generatedAt: ctx.now(),
    summary: [["Host results", total], ...statuses.map((s): [string, Cell] => [`Result ${s}`, byStatus.get(s) ?? 0])],
    notes: ["One row per patch job (apply, remove, rollback) and target host, by the job's creation time."],
    charts: [
      {
        title: "Host results by status",
        kind: "bar",
        labels: statuses,
        series: [{ name: "results", values: statuses.map((s) => byStatus.get(s) ?? 0) }],
      },
    ],
    table: {
      title: "Patch history",
      columns: [
        "job_id",
        "kind",
        "job_status",
        "created_by",
        "created_at",
        "host_id",
        "host_name",
        "host_status",
        "exit_code",
        "started_at",
        "completed_at",
        "error",
      ],
      pages: mapPages(iteratePatchHistory(ctx, req.scope, req.period), (r) => [
        r.jobId,
        r.kind,
        r.jobStatus,
        r.createdBy,
        iso(r.createdAt),
        r.hostId,
        r.hostName,
        r.hostStatus,
        r.exitCode,
        iso(r.startedAt),
        iso(r.completedAt),
        r.error,
      ]),
    },
    widths: [2.4, 1, 1, 1.6, 1.7, 2.4, 1.6, 1, 0.7, 1.7, 1.7, 2],
  };
}

async function auditReport(ctx: DomainContext, req: ReportRequest): Promise<ReportDocument> {
  const verification = await verifyAuditChain(ctx);
  let total = 0;
  const byOutcome = new Map<string, number>();
  const ids = new Set<string>();
  for await (const page of iterateAuditPeriod(ctx, req.period)) {
    for (const r of page) {
      total++;
      byOutcome.set(r.outcome, (byOutcome.get(r.outcome) ?? 0) + 1);
      ids.add(r.id);
    }
  }
  const errorsInPeriod = verification.errors.filter((e) => ids.has(e.rowId)).length;
  const verdict = verification.intact
    ? "Ledger verification: intact (every sealed entry's hash chain and every signed checkpoint verified)."
    : `Ledger verification: NOT intact: ${verification.errors.length} problem(s) in the ledger, ${errorsInPeriod} in this period.`;
  return {
    type: "audit",
    title: "Audit report",
    filter: filterOf(req),
    generatedAt: ctx.now(),
    summary: [
      ["Entries in the period", total],
      [
        "Success / failure / denied",
        `${byOutcome.get("success") ?? 0} / ${byOutcome.get("failure") ?? 0} / ${byOutcome.get("denied") ?? 0}`,
      ],
      ["Ledger verification", verification.intact ? "intact" : "NOT intact"],
      ["Ledger entries checked", verification.rowsChecked],
      ["Verification problems (ledger / period)", `${verification.errors.length} / ${errorsInPeriod}`],
    ],
    notes: [verdict],
    charts: [],
    table: {
      title: "Audit",
      columns: [
        "seq",
        "id",
        "at",
        "actor_id",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "outcome",
        "source_ip",
        "request_id",
        "sealed",
        "detail",
      ],
      pages: mapPages(iterateAuditPeriod(ctx, req.period), (r) => [
        r.seq,
        r.id,
        iso(r.at),
        r.actorId,
        r.actorName,
        r.action,
        r.targetType,
        r.targetId,
        r.outcome,
        r.sourceIp,
        r.requestId,
        r.ledgerSeq !== null,
        JSON.stringify(r.detail),
      ]),
    },
    widths: [0.6, 2.2, 1.7, 2.2, 1.2, 1.6, 1, 2.2, 0.8, 1.1, 1.4, 0.6, 3],
  };
}

/**
 * Vulnerabilities per host and package from the agents' package metadata
 * (docs/reports.md "Vulnerabilities"). A host that never reported is `unknown`;
 * a reported host without a pending security fix is `none_known`, never "no
 * vulnerabilities".
 */
async function vulnerabilityReport(ctx: DomainContext, req: ReportRequest): Promise<ReportDocument> {
  const byStatus = new Map<string, number>();
  const hosts = new Map<string, string>();
  const cves = new Set<string>();
  for await (const page of iterateVulnerabilityRows(ctx, req.scope)) {
    for (const r of page) {
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      if (r.cveId) cves.add(r.cveId);
      // A host's worst status: affected > security_update > unknown > none_known.
      const rank = ["none_known", "unknown", "security_update", "affected"];
      const prev = hosts.get(r.hostId);
      if (prev === undefined || rank.indexOf(r.status) > rank.indexOf(prev)) hosts.set(r.hostId, r.status);
    }
  }
  const hostsWith = (s: string) => [...hosts.values()].filter((v) => v === s).length;
  const statuses = ["affected", "security_update", "unknown", "none_known"];
  const feeds = await osvFeedsInForce(ctx);
  const osvLine =
    feeds.length === 0
      ? "none imported"
      : feeds.map((f) => `${f.feed} (${f.records} records, ${new Date(f.importedAt).toISOString()})`).join("; ");
  return {
    type: "vulnerability",
    title: "Vulnerability report",
    filter: filterOf(req),
    generatedAt: ctx.now(),
    summary: [
      ["Hosts", hosts.size],
      ["Hosts affected by a CVE (pending fix or OSV record)", hostsWith("affected")],
      ["Hosts with a pending security update (no CVE named)", hostsWith("security_update")],
      ["Hosts with unknown vulnerability status", hostsWith("unknown")],
      ["Hosts with none known", hostsWith("none_known")],
      ["Distinct CVEs", cves.size],
      ["OSV data", osvLine],
      ...statuses.map((s): [string, Cell] => [`Rows ${s}`, byStatus.get(s) ?? 0]),
    ],
    notes: [
      "CVE ids come from the agents' package metadata (Debian/Ubuntu changelogs and security-suite origins, dnf updateinfo) of pending updates (origin 'agent'), and from imported OSV records whose affected ranges hold the installed version (origin 'osv:<record id>'; fixed_version empty when no fix is published). 'unknown': the host never reported an inventory, or the package's repository publishes no advisory data. 'none_known': no pending update is a security fix and no imported OSV record matches; without OSV data for the host's distribution, vulnerabilities without a published fix are not covered. Unknown never means no vulnerabilities.",
    ],
    charts: [
      {
        title: "Hosts by vulnerability status",
        kind: "bar",
        labels: statuses,
        series: [{ name: "hosts", values: statuses.map(hostsWith) }],
      },
    ],
    table: {
      title: "Vulnerabilities",
      columns: [
        "host_id",
        "name",
        "fqdn",
        "package",
        "arch",
        "source_package",
        "installed_version",
        "fixed_version",
        "cve_id",
        "first_seen_at",
        "source",
        "status",
      ],
      pages: mapPages(iterateVulnerabilityRows(ctx, req.scope), (r) => [
        r.hostId,
        r.hostName,
        r.fqdn,
        r.package,
        r.arch,
        r.source,
        r.installedVersion,
        r.fixedVersion,
        r.cveId,
        iso(r.firstSeenAt),
        r.origin,
        r.status,
      ]),
    },
    widths: [2.4, 1.5, 2, 1.4, 0.7, 1.3, 1.5, 1.5, 1.5, 1.7, 1.4, 1.2],
  };
}

/** Builds the document of a report; `charts` are extra charts (compliance history) the caller supplies. */
export async function buildReport(
  ctx: DomainContext,
  req: ReportRequest,
  charts: ReportChart[] = [],
): Promise<ReportDocument> {
  switch (req.type) {
    case "compliance":
      return complianceReport(ctx, req, charts);
    case "patch-history":
      return patchHistoryReport(ctx, req);
    case "audit":
      return auditReport(ctx, req);
    case "vulnerability":
      return vulnerabilityReport(ctx, req);
  }
}
