import { addDays, dayOfWeek, daysInMonth, fromLocal, type LocalDateTime, toLocal } from "./time-zone";

/**
 * Maintenance-window evaluation. A window is anchored at `start_at` (an instant); its wall-clock
 * time of day in `time_zone` is the start of every recurring occurrence:
 *  - once:    the single occurrence at `start_at`;
 *  - daily:   every local day from the anchor's date on;
 *  - weekly:  every local day whose weekday is `recurrence_day` (0 = Sunday);
 *  - monthly: every month on day `recurrence_day` (1-31), on the last day of shorter months.
 * No occurrence starts before `start_at`. An occurrence lasts `duration_minutes` of real time, so
 * a 23:00 + 120 min window ends at 01:00 the next day, and a window across a DST change keeps its
 * length. A start time inside the hour that clocks skip moves forward by the gap (time-zone.ts).
 */
export type Recurrence = "once" | "daily" | "weekly" | "monthly";

export type WindowSpec = {
  recurrence: Recurrence;
  /** RFC 3339 instant. */
  start_at: string;
  duration_minutes: number;
  recurrence_day: number | null;
  enabled: boolean;
  /** IANA zone name; UTC when absent. */
  time_zone?: string | null;
};

export type Occurrence = { start: number; end: number };

const MINUTE_MS = 60_000;
/** Days scanned forward for the next occurrence: every recurrence has one within a month and a day. */
const SCAN_FORWARD_DAYS = 32;

type Compiled = {
  recurrence: Recurrence;
  anchor: number;
  durationMs: number;
  day: number | null;
  zone: string;
  time: Pick<LocalDateTime, "hour" | "minute" | "second">;
};

function compile(w: WindowSpec): Compiled | null {
  const anchor = Date.parse(w.start_at);
  if (!w.enabled || Number.isNaN(anchor) || !(w.duration_minutes > 0)) return null;
  const zone = w.time_zone || "UTC";
  const local = toLocal(anchor, zone);
  return {
    recurrence: w.recurrence,
    anchor,
    durationMs: w.duration_minutes * MINUTE_MS,
    day: w.recurrence_day,
    zone,
    time: { hour: local.hour, minute: local.minute, second: local.second },
  };
}

/** The start instant of the occurrence on a local date, or null when the date has none. */
function startOn(c: Compiled, date: { year: number; month: number; day: number }): number | null {
  if (c.recurrence === "weekly" && dayOfWeek(date.year, date.month, date.day) !== c.day) return null;
  if (c.recurrence === "monthly") {
    if (c.day === null) return null;
    if (date.day !== Math.min(c.day, daysInMonth(date.year, date.month))) return null;
  }
  const start = fromLocal({ ...date, ...c.time }, c.zone);
  return start < c.anchor ? null : start;
}

/** The occurrence open at `now` ([start, end)), or null. */
export function openOccurrence(w: WindowSpec, now: number): Occurrence | null {
  const c = compile(w);
  if (!c) return null;
  if (c.recurrence === "once") {
    return now >= c.anchor && now < c.anchor + c.durationMs ? { start: c.anchor, end: c.anchor + c.durationMs } : null;
  }
  const today = toLocal(now, c.zone);
  // Occurrences that started on earlier local days may still be open (midnight crossing).
  const back = Math.ceil(c.durationMs / 86_400_000) + 1;
  for (let i = 0; i <= back; i++) {
    const date = addDays(today, -i);
    const start = startOn(c, date);
    if (start !== null && start <= now && now < start + c.durationMs) return { start, end: start + c.durationMs };
  }
  return null;
}

/** The occurrence open at `now`, else the next one to start; null when there is none. */
export function nextOccurrence(w: WindowSpec, now: number): Occurrence | null {
  const open = openOccurrence(w, now);
  if (open) return open;
  const c = compile(w);
  if (!c) return null;
  if (c.recurrence === "once") return c.anchor > now ? { start: c.anchor, end: c.anchor + c.durationMs } : null;
  const from = toLocal(Math.max(now, c.anchor), c.zone);
  for (let i = -1; i <= SCAN_FORWARD_DAYS; i++) {
    const start = startOn(c, addDays(from, i));
    if (start !== null && start > now) return { start, end: start + c.durationMs };
  }
  return null;
}

/**
 * Whether a host whose patch run is expected to take `expectedMinutes` may start at `now`: the
 * window is open and the run would end before the window does (no host starts after the window's
 * end minus the expected duration).
 */
export function mayStartHost(w: WindowSpec, now: number, expectedMinutes: number): boolean {
  const occ = openOccurrence(w, now);
  return occ !== null && now + expectedMinutes * MINUTE_MS <= occ.end;
}

/**
 * The earliest instant at or after `now` at which `mayStartHost` holds, or null if never (window
 * disabled, a past `once` window, or a run longer than the window). Used to set Durable Object alarms.
 */
export function nextHostStart(w: WindowSpec, now: number, expectedMinutes: number): number | null {
  const expectedMs = expectedMinutes * MINUTE_MS;
  if (expectedMs > w.duration_minutes * MINUTE_MS) return null;
  let t = now;
  // The open occurrence may already be past its last start; then look at the following ones.
  for (let guard = 0; guard < 3; guard++) {
    const occ = nextOccurrence(w, t);
    if (!occ) return null;
    const candidate = Math.max(t, occ.start);
    if (candidate + expectedMs <= occ.end) return candidate;
    t = occ.end;
  }
  return null;
}
