import { recurrenceDayProblem } from "@fleetgate/contract";
import { and, asc, eq, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { getVisibleHost } from "../fleet/hosts.service";
import { hostVisible, type Visibility } from "../fleet/visibility";
import { maintenanceWindows } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { isUuid, newId } from "../shared/ids";

export type WindowRow = typeof maintenanceWindows.$inferSelect;

export interface WindowInput {
  label: string;
  recurrence: WindowRow["recurrence"];
  start_at: string;
  duration_minutes: number;
  recurrence_day?: number | null;
  enabled: boolean;
  auto_apply: boolean;
  time_zone: string;
}
export type WindowPatch = Partial<WindowInput>;

/** once/daily windows carry no day; weekly/monthly need theirs (validated before). */
const dayFor = (recurrence: WindowRow["recurrence"], day: number | null | undefined) =>
  recurrence === "weekly" || recurrence === "monthly" ? (day ?? null) : null;

/** The windows of one host the caller may see, by start. */
export async function listHostWindows(ctx: DomainContext, hostId: string, v: Visibility): Promise<WindowRow[]> {
  await getVisibleHost(ctx, hostId, v);
  return ctx.db
    .select()
    .from(maintenanceWindows)
    .where(eq(maintenanceWindows.hostId, hostId))
    .orderBy(asc(maintenanceWindows.startAt), asc(maintenanceWindows.id))
    .all();
}

/** Every window on hosts the caller may see (the calendar). */
export async function listAllWindows(ctx: DomainContext, v: Visibility): Promise<WindowRow[]> {
  return ctx.db
    .select()
    .from(maintenanceWindows)
    .where(hostVisible(v, sql`${maintenanceWindows.hostId}`))
    .orderBy(asc(maintenanceWindows.startAt), asc(maintenanceWindows.id))
    .all();
}

export async function createWindow(
  ctx: DomainContext,
  hostId: string,
  input: WindowInput,
  v: Visibility,
): Promise<WindowRow> {
  await getVisibleHost(ctx, hostId, v);
  const now = ctx.now();
  const row: WindowRow = {
    id: newId(),
    hostId,
    label: input.label,
    recurrence: input.recurrence,
    startAt: Date.parse(input.start_at),
    durationMinutes: input.duration_minutes,
    recurrenceDay: dayFor(input.recurrence, input.recurrence_day),
    enabled: input.enabled,
    autoApply: input.auto_apply,
    timeZone: input.time_zone,
    createdAt: now,
    updatedAt: now,
  };
  await commitAudited(ctx, [ctx.db.insert(maintenanceWindows).values(row)], {
    action: "maintenance_window.create",
    targetType: "host",
    targetId: hostId,
    detail: { window: row.id, recurrence: row.recurrence, time_zone: row.timeZone },
  });
  return row;
}

async function visibleWindow(ctx: DomainContext, hostId: string, winId: string, v: Visibility): Promise<WindowRow> {
  await getVisibleHost(ctx, hostId, v);
  const row = isUuid(winId)
    ? await ctx.db
        .select()
        .from(maintenanceWindows)
        .where(and(eq(maintenanceWindows.id, winId), eq(maintenanceWindows.hostId, hostId)))
        .get()
    : undefined;
  if (!row) throw new DomainError("common.not_found", "Maintenance window not found");
  return row;
}

/** Partial update; the merged window is validated again (e.g. switching to weekly needs a day). */
export async function updateWindow(
  ctx: DomainContext,
  hostId: string,
  winId: string,
  patch: WindowPatch,
  v: Visibility,
): Promise<WindowRow> {
  const cur = await visibleWindow(ctx, hostId, winId, v);
  const recurrence = patch.recurrence ?? cur.recurrence;
  const day = patch.recurrence_day !== undefined ? patch.recurrence_day : cur.recurrenceDay;
  const problem = recurrenceDayProblem(recurrence, day);
  if (problem) throw new DomainError("common.validation", problem);
  const next: WindowRow = {
    ...cur,
    label: patch.label ?? cur.label,
    recurrence,
    startAt: patch.start_at !== undefined ? Date.parse(patch.start_at) : cur.startAt,
    durationMinutes: patch.duration_minutes ?? cur.durationMinutes,
    recurrenceDay: dayFor(recurrence, day),
    enabled: patch.enabled ?? cur.enabled,
    autoApply: patch.auto_apply ?? cur.autoApply,
    timeZone: patch.time_zone ?? cur.timeZone,
    updatedAt: ctx.now(),
  };
  const { id: _id, hostId: _h, createdAt: _c, ...set } = next;
  await commitAudited(ctx, [ctx.db.update(maintenanceWindows).set(set).where(eq(maintenanceWindows.id, cur.id))], {
    action: "maintenance_window.update",
    targetType: "host",
    targetId: hostId,
    detail: { window: cur.id, fields: Object.keys(patch) },
  });
  return next;
}

export async function deleteWindow(ctx: DomainContext, hostId: string, winId: string, v: Visibility): Promise<void> {
  const cur = await visibleWindow(ctx, hostId, winId, v);
  await commitAudited(ctx, [ctx.db.delete(maintenanceWindows).where(eq(maintenanceWindows.id, cur.id))], {
    action: "maintenance_window.delete",
    targetType: "host",
    targetId: hostId,
    detail: { window: cur.id },
  });
}
