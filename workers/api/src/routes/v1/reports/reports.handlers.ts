import * as svc from "@fleetgate/domain";
import { produceReport } from "@fleetgate/tasks";
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
