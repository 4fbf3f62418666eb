import { z } from "@hono/zod-openapi";
import { isValidTimeZone } from "../patching/time-zone";
import { Timestamp, Uuid } from "./common";

/** Maintenance windows (linux-patch-manager.md §4), plus `time_zone` (IANA, default UTC). */
export const Recurrence = z.enum(["once", "daily", "weekly", "monthly"]);

const TimeZone = z
  .string()
  .max(64)
  .refine(isValidTimeZone, { message: "Unknown IANA time zone" })
  .openapi({ example: "Europe/Berlin", description: "IANA time zone the recurrence is evaluated in" });

const StartAt = z.iso.datetime({ offset: true }).openapi({
  example: "2026-06-02T23:00:00Z",
  description: "First start (RFC 3339); its wall-clock time in time_zone repeats",
});

/** The day rule: weekly needs 0-6 (0 = Sunday), monthly 1-31 (the last day in shorter months). */
export function recurrenceDayProblem(recurrence: string, day: number | null | undefined): string | null {
  if (recurrence === "weekly" && (day === null || day === undefined || day < 0 || day > 6)) {
    return "weekly windows need recurrence_day 0-6 (0 = Sunday)";
  }
  if (recurrence === "monthly" && (day === null || day === undefined || day < 1 || day > 31)) {
    return "monthly windows need recurrence_day 1-31";
  }
  return null;
}

export const CreateWindowRequest = z
  .object({
    label: z.string().trim().min(1).max(200),
    recurrence: Recurrence,
    start_at: StartAt,
    duration_minutes: z.number().int().min(1).max(1440).default(60),
    recurrence_day: z.number().int().nullable().optional(),
    enabled: z.boolean().default(true),
    auto_apply: z.boolean().default(true),
    time_zone: TimeZone.default("UTC"),
  })
  .strict()
  .superRefine((w, ctx) => {
    const problem = recurrenceDayProblem(w.recurrence, w.recurrence_day);
    if (problem) ctx.addIssue({ code: "custom", path: ["recurrence_day"], message: problem });
  })
  .openapi("CreateMaintenanceWindow");

export const UpdateWindowRequest = z
  .object({
    label: z.string().trim().min(1).max(200).optional(),
    recurrence: Recurrence.optional(),
    start_at: StartAt.optional(),
    duration_minutes: z.number().int().min(1).max(1440).optional(),
    recurrence_day: z.number().int().nullable().optional(),
    enabled: z.boolean().optional(),
    auto_apply: z.boolean().optional(),
    time_zone: TimeZone.optional(),
  })
  .strict()
  .openapi("UpdateMaintenanceWindow");

export const MaintenanceWindow = z
  .object({
    id: Uuid,
    host_id: Uuid,
    label: z.string(),
    recurrence: Recurrence,
    start_at: Timestamp,
    duration_minutes: z.number().int(),
    recurrence_day: z.number().int().nullable(),
    enabled: z.boolean(),
    auto_apply: z.boolean(),
    time_zone: z.string(),
    /** The open or next occurrence (null when none is left). */
    next_start_at: Timestamp.nullable(),
    next_end_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("MaintenanceWindow");

export const WindowList = z.object({ windows: z.array(MaintenanceWindow) }).openapi("MaintenanceWindowList");

export const HostIdParam = z.object({ host_id: Uuid.openapi({ param: { name: "host_id", in: "path" } }) });
export const HostWindowParams = HostIdParam.extend({
  win_id: Uuid.openapi({ param: { name: "win_id", in: "path" } }),
});
