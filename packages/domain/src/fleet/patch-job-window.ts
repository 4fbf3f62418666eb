import type { JobPlan } from "@fleetgate/contract";
import { nextHostStart, openOccurrence, type WindowSpec } from "@fleetgate/contract/patching";
import { and, eq, sql } from "drizzle-orm";
import { maintenanceWindows, type patchJobs } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { inJson } from "../shared/in-json";
import type { TargetHost } from "./job-targets.query";
import { hostVisible, type Visibility } from "./visibility";

const MINUTE_MS = 60_000;

type WindowRow = typeof maintenanceWindows.$inferSelect;

/** When a windowed job may run: it waits (`pending`) until `notBefore`; no host starts after `lastStartAt`. */
export interface JobSchedule {
  windowId: string;
  notBefore: number;
  lastStartAt: number;
}

/** The plan fields of a windowed job (the JobRun keeps it `pending` until `not_before`). */
export const scheduleFields = (s: JobSchedule | null): Pick<JobPlan, "not_before" | "last_start_at"> =>
  s ? { not_before: s.notBefore, last_start_at: s.lastStartAt } : {};

type NewPatchRow = Omit<typeof patchJobs.$inferSelect, "jobId">;

/**
 * The patch row of a new job: whether it was asked to start now, its schedule (null: no window)
 * and what the kind sets; the rest is the default of a job with no rings, no parent and no reboot.
 */
export const patchRow = (
  immediate: boolean,
  schedule: JobSchedule | null,
  fields: Partial<Omit<NewPatchRow, "immediate" | "maintenanceWindowId" | "notBefore" | "lastStartAt">> = {},
): NewPatchRow => ({
  immediate,
  allowReboot: false,
  securityOnly: false,
  packages: [],
  parentJobId: null,
  ringCount: 0,
  onHealthFailure: null,
  ...fields,
  maintenanceWindowId: schedule?.windowId ?? null,
  notBefore: schedule?.notBefore ?? null,
  lastStartAt: schedule?.lastStartAt ?? null,
});

/** The status a new job is created in: `pending` while its window has not opened, else `queued`. */
export const initialJobStatus = (s: JobSchedule | null, now: number): "pending" | "queued" =>
  s && s.notBefore > now ? "pending" : "queued";

/** The audit detail of a windowed job's schedule (nothing for one that starts now). */
export const scheduleAuditDetail = (s: JobSchedule | null): Record<string, string> =>
  s
    ? {
        maintenance_window_id: s.windowId,
        not_before: new Date(s.notBefore).toISOString(),
        last_start_at: new Date(s.lastStartAt).toISOString(),
      }
    : {};

export const windowSpec = (w: WindowRow): WindowSpec => ({
  recurrence: w.recurrence,
  start_at: new Date(w.startAt).toISOString(),
  duration_minutes: w.durationMinutes,
  recurrence_day: w.recurrenceDay,
  enabled: w.enabled,
  time_zone: w.timeZone,
});

/**
 * The next run of `w` for a job whose hosts each need `expectedMinutes`: the earliest instant at or
 * after `now` at which a host may start, and the last such instant of that occurrence. Null when the
 * window is disabled, over, or shorter than the expected duration.
 */
export function scheduleIn(w: WindowRow, now: number, expectedMinutes: number): JobSchedule | null {
  const spec = windowSpec(w);
  const start = nextHostStart(spec, now, expectedMinutes);
  if (start === null) return null;
  const occ = openOccurrence(spec, start);
  if (!occ) return null;
  return { windowId: w.id, notBefore: start, lastStartAt: occ.end - expectedMinutes * MINUTE_MS };
}

/**
 * The schedule of a patch job (docs/patching.md "Jobs in maintenance windows"):
 *  - `maintenance_window_id` given: that window (on a host the caller may see);
 *  - `immediate: false` without one: the hosts' own enabled windows; every host must have one and
 *    their next openings must coincide (else one job per host, or name the window);
 *  - otherwise (immediate, no window): null, the job starts now.
 */
export async function patchJobSchedule(
  ctx: DomainContext,
  input: { immediate: boolean; windowId: string | null; expectedMinutes: number },
  hosts: TargetHost[],
  v: Visibility,
): Promise<JobSchedule | null> {
  if (input.windowId === null && input.immediate) return null;
  const now = ctx.now();
  const tooShort = (label: string) =>
    new DomainError(
      "common.validation",
      `Maintenance window "${label}" does not open again for at least expected_minutes (${input.expectedMinutes})`,
    );
  if (input.windowId !== null) {
    const w = await ctx.db
      .select()
      .from(maintenanceWindows)
      .where(and(eq(maintenanceWindows.id, input.windowId), hostVisible(v, sql`${maintenanceWindows.hostId}`)))
      .get();
    if (!w) throw new DomainError("common.not_found", "Maintenance window not found");
    const s = scheduleIn(w, now, input.expectedMinutes);
    if (!s) throw tooShort(w.label);
    return s;
  }
  const rows = await ctx.db
    .select()
    .from(maintenanceWindows)
    .where(
      and(
        inJson(
          maintenanceWindows.hostId,
          hosts.map((h) => h.id),
        ),
        eq(maintenanceWindows.enabled, true),
      ),
    )
    .all();
  let chosen: JobSchedule | null = null;
  for (const host of hosts) {
    let best: JobSchedule | null = null;
    for (const w of rows.filter((r) => r.hostId === host.id)) {
      const s = scheduleIn(w, now, input.expectedMinutes);
      if (s && (!best || s.notBefore < best.notBefore)) best = s;
    }
    if (!best) {
      throw new DomainError(
        "common.validation",
        `Host ${host.name} has no enabled maintenance window that opens for expected_minutes (${input.expectedMinutes}); pass maintenance_window_id or immediate: true`,
      );
    }
    if (chosen && chosen.notBefore !== best.notBefore) {
      throw new DomainError(
        "common.validation",
        "The hosts' next maintenance windows start at different times; create one job per host or pass maintenance_window_id",
      );
    }
    if (!chosen || best.lastStartAt < chosen.lastStartAt) chosen = best;
  }
  return chosen;
}
