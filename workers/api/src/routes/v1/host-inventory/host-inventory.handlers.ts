import { iso } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import type * as r from "./host-inventory.routes";

const vis = (c: Context<AppEnv>) => svc.visibilityOf(currentIdentity(c));

function stateBody(s: svc.HostPatchStateRow | null) {
  if (!s) return null;
  return {
    os: s.os,
    package_count: s.packageCount,
    update_count: s.updateCount,
    security_update_count: s.securityUpdateCount,
    reboot_required: s.rebootRequired,
    reboot_reasons: s.rebootReasons,
    removals: s.removals,
    lists_age_secs: s.listsAgeSecs,
    collected_at: iso(s.collectedAt),
    reported_at: iso(s.reportedAt),
  };
}

const security = (s: svc.HostUpdateRow["security"]): boolean | "unknown" => (s === "unknown" ? s : s === "true");

export const listPackages: RouteHandler<typeof r.listPackages, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await svc.listHostPackages(await domain(c), c.req.valid("param").id, vis(c), q);
  return c.json(
    {
      packages: page.rows.map((p) => ({
        name: p.name,
        arch: p.arch,
        version: p.version,
        source: p.source,
        source_version: p.sourceVersion,
        status: p.status,
      })),
      total: page.total,
      limit: q.limit,
      offset: q.offset,
      inventory: stateBody(page.state),
    },
    200,
  );
};

export const listUpdates: RouteHandler<typeof r.listUpdates, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await svc.listHostUpdates(await domain(c), c.req.valid("param").id, vis(c), q);
  return c.json(
    {
      updates: page.rows.map((u) => ({
        name: u.name,
        arch: u.arch,
        installed_version: u.currentVersion,
        candidate_version: u.candidateVersion,
        source: u.source,
        security: security(u.security),
        cve_ids: u.cveIds,
        origins: u.origins,
      })),
      total: page.total,
      limit: q.limit,
      offset: q.offset,
      inventory: stateBody(page.state),
    },
    200,
  );
};

export const refresh: RouteHandler<typeof r.refresh, AppEnv> = async (c) => {
  await svc.requestInventoryRefresh(await domain(c), c.req.valid("param").id, vis(c));
  return c.json({ message: "Refresh queued" }, 202);
};
