import { iso } from "@fleetgate/contract";
import { nextOccurrence } from "@fleetgate/contract/patching";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import type * as r from "./maintenance-windows.routes";

const vis = (c: Parameters<typeof currentIdentity>[0]) => svc.visibilityOf(currentIdentity(c));

/** The reference window object, plus time_zone and the open-or-next occurrence. */
export function windowBody(w: svc.WindowRow, now: number) {
  const next = nextOccurrence(
    {
      recurrence: w.recurrence,
      start_at: iso(w.startAt),
      duration_minutes: w.durationMinutes,
      recurrence_day: w.recurrenceDay,
      enabled: w.enabled,
      time_zone: w.timeZone,
    },
    now,
  );
  return {
    id: w.id,
    host_id: w.hostId,
    label: w.label,
    recurrence: w.recurrence,
    start_at: iso(w.startAt),
    duration_minutes: w.durationMinutes,
    recurrence_day: w.recurrenceDay,
    enabled: w.enabled,
    auto_apply: w.autoApply,
    time_zone: w.timeZone,
    next_start_at: next ? iso(next.start) : null,
    next_end_at: next ? iso(next.end) : null,
    created_at: iso(w.createdAt),
    updated_at: iso(w.updatedAt),
  };
}

export const listHostWindows: RouteHandler<typeof r.listHostWindows, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const rows = await svc.listHostWindows(ctx, c.req.valid("param").host_id, vis(c));
  return c.json({ windows: rows.map((w) => windowBody(w, ctx.now())) }, 200);
};

export const createWindow: RouteHandler<typeof r.createWindow, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const row = await svc.createWindow(ctx, c.req.valid("param").host_id, c.req.valid("json"), vis(c));
  return c.json(windowBody(row, ctx.now()), 200);
};

export const updateWindow: RouteHandler<typeof r.updateWindow, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const p = c.req.valid("param");
  const row = await svc.updateWindow(ctx, p.host_id, p.win_id, c.req.valid("json"), vis(c));
  return c.json(windowBody(row, ctx.now()), 200);
};

export const deleteWindow: RouteHandler<typeof r.deleteWindow, AppEnv> = async (c) => {
  const p = c.req.valid("param");
  await svc.deleteWindow(await domain(c), p.host_id, p.win_id, vis(c));
  return c.json({ message: "Maintenance window deleted" }, 200);
};

export const listAllWindows: RouteHandler<typeof r.listAllWindows, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const rows = await svc.listAllWindows(ctx, vis(c));
  return c.json({ windows: rows.map((w) => windowBody(w, ctx.now())) }, 200);
};
