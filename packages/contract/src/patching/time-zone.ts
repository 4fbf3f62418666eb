/**
 * Wall-clock ↔ instant conversion in an IANA time zone with the platform's Intl (full ICU in
 * workerd and Node), no tz database of our own. Local times that do not exist (the hour skipped
 * when clocks go forward) and that exist twice (the hour repeated when they go back) are resolved
 * as ECMAScript Temporal's "compatible" disambiguation does: a skipped time moves forward by the
 * length of the gap (02:30 on a spring-forward day in Europe/Berlin is 03:30 CEST), a repeated
 * time takes the earlier instant.
 */
export type LocalDateTime = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the platform knows the IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone === "" || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of an instant in a zone. */
export function toLocal(epochMs: number, timeZone: string): LocalDateTime {
  const out: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(new Date(epochMs))) {
    const v = Number(part.value);
    if (part.type === "year") out.year = v;
    else if (part.type === "month") out.month = v;
    else if (part.type === "day") out.day = v;
    else if (part.type === "hour") out.hour = v;
    else if (part.type === "minute") out.minute = v;
    else if (part.type === "second") out.second = v;
  }
  return out;
}

function fieldsAsUtc(l: LocalDateTime): number {
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
}

/** Offset of the zone from UTC at an instant, in ms (whole seconds). */
export function offsetAt(epochMs: number, timeZone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  return fieldsAsUtc(toLocal(whole, timeZone)) - whole;
}

const DAY_MS = 86_400_000;

/** The instant of a wall-clock time in a zone ("compatible" disambiguation, see the file comment). */
export function fromLocal(local: LocalDateTime, timeZone: string): number {
  const asUtc = fieldsAsUtc(local);
  const before = offsetAt(asUtc - DAY_MS, timeZone);
  const after = offsetAt(asUtc + DAY_MS, timeZone);
  const candidates: number[] = [];
  for (const off of before === after ? [before] : [before, after]) {
    const instant = asUtc - off;
    if (fieldsAsUtc(toLocal(instant, timeZone)) === asUtc) candidates.push(instant);
  }
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: read the wall time with the offset in force before the transition.
  return asUtc - before;
}

/** Days in a month of the proleptic Gregorian calendar (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day of week of a calendar date, 0 = Sunday. */
export function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** The calendar date `days` after the given one. */
export function addDays(
  date: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
