import type { ReportExportRequest, ReportFilters } from "@fleetgate/contract";
import {
  type DomainContext,
  DomainError,
  getGroup,
  type IdentityRow,
  type Period,
  startQueuedTask,
  type TaskRow,
  visibilityOf,
} from "@fleetgate/domain";
import type { z } from "zod";
import { exportAudit } from "../exports/export.task";
import { type RenderedReport, renderReport } from "./render-report";
import { buildReport } from "./report-builders";
import type { ReportDocument, ReportFormat, ReportType } from "./report-document";

type Filters = z.infer<typeof ReportFilters>;

const DAY_MS = 86_400_000;

/** `from`/`to` as epoch ms: a date means its UTC midnight; a `to` date includes that whole day. from ≤ to. */
export function periodOf(f: { from?: string | undefined; to?: string | undefined }): Period {
  const at = (s: string, end: boolean) => {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(s);
    const ms = Date.parse(dateOnly ? `${s}T00:00:00Z` : s);
    return dateOnly && end ? ms + DAY_MS - 1 : ms;
  };
  const period: Period = {
    from: f.from === undefined ? undefined : at(f.from, false),
    to: f.to === undefined ? undefined : at(f.to, true),
  };
  if (period.from !== undefined && period.to !== undefined && period.from > period.to)
    throw new DomainError("common.validation", "from must not be after to");
  return period;
}

/** Who may produce which report: the audit report is for admins (as the audit log is). */
function assertMayRead(identity: Pick<IdentityRow, "role">, type: ReportType): void {
  if (type === "audit" && identity.role !== "admin") throw new DomainError("auth.forbidden");
}

/** The report's document over what `identity` may see now. */
export async function reportDocument(
  ctx: DomainContext,
  identity: Pick<IdentityRow, "id" | "role">,
  type: ReportType,
  filters: Filters,
): Promise<ReportDocument> {
  assertMayRead(identity, type);
  const period = periodOf(filters);
  const group = filters.group_id ? (await getGroup(ctx, filters.group_id)).group : undefined;
  return buildReport(ctx, {
    type,
    scope: { visibility: visibilityOf(identity), groupId: group?.id },
    period,
    groupLabel: group?.name,
  });
}

/** `GET /reports/{type}`: the file, rendered in the request. */
export async function produceReport(
  ctx: DomainContext,
  identity: Pick<IdentityRow, "id" | "role">,
  type: ReportType,
  format: ReportFormat,
  filters: Filters,
): Promise<RenderedReport> {
  return renderReport(await reportDocument(ctx, identity, type, filters), format);
}

export const REPORT_TASK_NAMES: Record<ReportType, string> = {
  compliance: "fleetgate.reports.compliance",
  "patch-history": "fleetgate.reports.patch_history",
  vulnerability: "fleetgate.reports.vulnerability",
  audit: "fleetgate.reports.audit",
};

export const reportTypeOf = (kind: ReportExportRequest["kind"]) => kind.slice("report:".length) as ReportType;

/** `POST /exports {"kind":"report:<type>"}`: an audited task, enqueued; FAILURE if the queue refuses it. */
export async function startReportExport(
  ctx: DomainContext,
  identity: Pick<IdentityRow, "id" | "role">,
  request: ReportExportRequest,
): Promise<TaskRow> {
  const type = reportTypeOf(request.kind);
  assertMayRead(identity, type);
  periodOf(request.filters);
  if (request.filters.group_id) await getGroup(ctx, request.filters.group_id);
  return startQueuedTask(ctx, {
    name: REPORT_TASK_NAMES[type],
    params: { request },
    audit: exportAudit(request),
  });
}
