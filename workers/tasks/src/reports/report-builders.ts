import {
  COMPLIANCE_GRACE_DAYS,
  type DomainContext,
  fleetStatus,
  iterateAuditPeriod,
  iterateComplianceRows,
  iteratePatchHistory,
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

const COMPLIANCE_NOTE = `A host is compliant when its agent has reported and it has no pending update; non-compliant when it has pending updates; unknown while its agent never reported. Compliance % = compliant / (compliant + non-compliant), 100.0 when no host is known. Grace period for security updates: ${COMPLIANCE_GRACE_DAYS} days (applied once agents report update ages).`;

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
      ["Healthy / degraded / unreachable / pending", `${s.healthy} / ${s.degraded} / ${s.unreachable} / ${s.pending}`],
      ["Hosts with failing health checks", s.failed_health_checks],
    ],
    notes: [COMPLIANCE_NOTE],
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
        "compliance",
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
        r.compliance,
      ]),
    },
    widths: [2.4, 1.6, 2.2, 1.4, 1.4, 1.4, 0.9, 1, 1.7, 0.8, 1.7, 1.1],
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
 * Vulnerabilities per host and package. Agents report no package CVE metadata
 * yet and no OSV feed is imported, so every host in scope is listed with status
 * `unknown`: the report never says "no vulnerabilities" where nothing is known.
 */
async function vulnerabilityReport(ctx: DomainContext, req: ReportRequest): Promise<ReportDocument> {
  const s = await fleetStatus(ctx, req.scope);
  return {
    type: "vulnerability",
    title: "Vulnerability report",
    filter: filterOf(req),
    generatedAt: ctx.now(),
    summary: [
      ["Hosts", s.total_hosts],
      ["Hosts with vulnerability data", 0],
      ["Hosts with unknown vulnerability status", s.total_hosts],
      ["Known CVEs affecting hosts", "unknown"],
    ],
    notes: [
      "Vulnerability status is unknown for every host: no host has reported package CVE metadata and no OSV feed has been imported. Unknown never means no vulnerabilities.",
    ],
    charts: [],
    table: {
      title: "Vulnerabilities",
      columns: [
        "host_id",
        "name",
        "fqdn",
        "package",
        "installed_version",
        "fixed_version",
        "cve_id",
        "source",
        "status",
      ],
      pages: mapPages(iterateComplianceRows(ctx, req.scope), (r) => [
        r.id,
        r.name,
        r.fqdn,
        null,
        null,
        null,
        null,
        null,
        "unknown",
      ]),
    },
    widths: [2.4, 1.6, 2.2, 1.4, 1.4, 1.4, 1.4, 1, 1],
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
