/**
 * Wall-clock times in an explicit IANA time zone (maintenance windows are defined in their own
 * zone, not the browser's). Uses Intl only; no time zone data is bundled.
 */

/** The zone's offset from UTC (ms) at the instant `utcMs`. Throws RangeError for an unknown zone. */
function offsetAt(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(utcMs));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? "0");
  const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** True when the runtime knows the zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return timeZone.length > 0;
  } catch {
    return false;
  }
}

/**
 * `YYYY-MM-DDTHH:mm` (a datetime-local value) read as wall-clock time in `timeZone` → the UTC
 * instant as RFC 3339. Undefined for a malformed value or an unknown zone.
 */
export function zonedToUtc(local: string, timeZone: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m || !isTimeZone(timeZone)) return undefined;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // Two passes settle the offset on either side of a DST change.
  let utc = wall - offsetAt(wall, timeZone);
  utc = wall - offsetAt(utc, timeZone);
  return new Date(utc).toISOString();
}

/** The UTC instant `iso` as a datetime-local value in `timeZone` (for editing). */
export function utcToZoned(iso: string, timeZone: string): string {
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms) || !isTimeZone(timeZone)) return "";
  const d = new Date(ms + offsetAt(ms, timeZone));
  return d.toISOString().slice(0, 16);
}
