import * as svc from "@fleetgate/domain";
import { periodOf, produceReport } from "@fleetgate/tasks";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import type * as r from "./reports.routes";

export const fleetStatus: RouteHandler<typeof r.fleetStatus, AppEnv> = async (c) => {
  const { group_id } = c.req.valid("query");
  const ctx = await domain(c);
  if (group_id) await svc.getGroup(ctx, group_id);
  const status = await svc.fleetStatus(ctx, { visibility: svc.visibilityOf(currentIdentity(c)), groupId: group_id });
  return c.json(status, 200);
};

/** The default history period: the last 90 days. */
const HISTORY_DEFAULT_MS = 90 * 86_400_000;

export const statusHistory: RouteHandler<typeof r.statusHistory, AppEnv> = async (c) => {
  const { group_id, ...range } = c.req.valid("query");
  const ctx = await domain(c);
  const period = periodOf(range);
  const to = period.to ?? ctx.now();
  const from = period.from ?? to - HISTORY_DEFAULT_MS;
  const rows = await svc.complianceHistory(ctx, currentIdentity(c), { from, to, groupId: group_id });
  return c.json(
    {
      group_id: group_id ?? null,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      points: rows.map((p) => ({
        taken_at: new Date(p.takenAt).toISOString(),
        reason: p.reason,
        total_hosts: p.totalHosts,
        compliant: p.compliant,
        non_compliant: p.nonCompliant,
        unknown: p.unknown,
        compliance_pct: p.compliancePct,
        total_pending: p.totalPending,
        pending_by_severity: p.pendingBySeverity,
        patch_age: p.patchAge,
        last_seen: p.lastSeen,
        cves_by_severity: p.cvesBySeverity,
      })),
    },
    200,
  );
};

export const caHealth: RouteHandler<typeof r.caHealth, AppEnv> = async (c) =>
  c.json(await svc.caHealth(await domain(c)), 200);

export const report: RouteHandler<typeof r.report, AppEnv> = async (c) => {
  const { type } = c.req.valid("param");
  const { format, ...filters } = c.req.valid("query");
  const file = await produceReport(await domain(c), currentIdentity(c), type, format, filters);
  return c.body(file.bytes, 200, {
    "Content-Type": file.contentType,
    "Content-Disposition": file.contentDisposition,
    "Cache-Control": "no-store",
  });
};
