import { describe, expect, it } from "vitest";
import { mayStartHost, nextHostStart, nextOccurrence, openOccurrence, type WindowSpec } from "./maintenance-window";
import { fromLocal, isValidTimeZone, toLocal } from "./time-zone";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const win = (w: Partial<WindowSpec>): WindowSpec => ({
  recurrence: "daily",
  start_at: "2026-01-01T23:00:00Z",
  duration_minutes: 120,
  recurrence_day: null,
  enabled: true,
  time_zone: "UTC",
  ...w,
});

describe("time zones through Intl (runs inside workerd)", () => {
  it("knows IANA zones and rejects unknown names", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("America/New_York")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });

  it("maps a skipped local time forward by the gap (Europe/Berlin spring forward)", () => {
    // 2026-03-29 02:00 CET → 03:00 CEST; 02:30 does not exist.
    const t = fromLocal({ year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 }, "Europe/Berlin");
    expect(iso(t)).toBe("2026-03-29T01:30:00.000Z");
    expect(toLocal(t, "Europe/Berlin")).toMatchObject({ hour: 3, minute: 30 });
  });

  it("takes the earlier instant for a repeated local time (fall back)", () => {
    // 2026-10-25 03:00 CEST → 02:00 CET; 02:30 happens twice.
    const t = fromLocal({ year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 }, "Europe/Berlin");
    expect(iso(t)).toBe("2026-10-25T00:30:00.000Z");
  });
});

describe("maintenance windows", () => {
  it("keeps a 23:00 + 120 min daily window open across midnight", () => {
    const w = win({});
    expect(openOccurrence(w, at("2026-02-10T23:30:00Z"))).toEqual({
      start: at("2026-02-10T23:00:00Z"),
      end: at("2026-02-11T01:00:00Z"),
    });
    expect(openOccurrence(w, at("2026-02-11T00:59:59Z"))?.start).toBe(at("2026-02-10T23:00:00Z"));
    expect(openOccurrence(w, at("2026-02-11T01:00:00Z"))).toBeNull();
    expect(openOccurrence(w, at("2026-02-11T22:59:59Z"))).toBeNull();
  });

  it("opens nothing before start_at, and a disabled window never opens", () => {
    expect(openOccurrence(win({}), at("2025-12-31T23:30:00Z"))).toBeNull();
    expect(openOccurrence(win({ enabled: false }), at("2026-02-10T23:30:00Z"))).toBeNull();
    expect(nextOccurrence(win({ enabled: false }), at("2026-02-10T00:00:00Z"))).toBeNull();
  });

  it("evaluates a once window as exactly one interval", () => {
    const w = win({ recurrence: "once", start_at: "2026-05-01T10:00:00Z", duration_minutes: 30 });
    expect(openOccurrence(w, at("2026-05-01T10:10:00Z"))).not.toBeNull();
    expect(openOccurrence(w, at("2026-05-02T10:10:00Z"))).toBeNull();
    expect(iso(nextOccurrence(w, at("2026-04-01T00:00:00Z"))?.start)).toBe("2026-05-01T10:00:00.000Z");
    expect(nextOccurrence(w, at("2026-05-01T10:30:00Z"))).toBeNull();
  });

  it("follows local wall-clock time across DST in its zone", () => {
    // 01:00 Berlin every day: 00:00Z in winter, 23:00Z the previous day in summer.
    const w = win({ start_at: "2026-01-05T00:00:00Z", time_zone: "Europe/Berlin", duration_minutes: 60 });
    expect(iso(nextOccurrence(w, at("2026-01-10T12:00:00Z"))?.start)).toBe("2026-01-11T00:00:00.000Z");
    expect(iso(nextOccurrence(w, at("2026-07-10T12:00:00Z"))?.start)).toBe("2026-07-10T23:00:00.000Z");
  });

  it("defines a window whose start falls in the skipped DST hour: it starts at the end of the gap", () => {
    // 02:30 Berlin daily. On 2026-03-29 02:30 does not exist: the occurrence starts at 03:30 CEST (01:30Z).
    const w = win({ start_at: "2026-03-20T01:30:00Z", time_zone: "Europe/Berlin", duration_minutes: 60 });
    const occ = nextOccurrence(w, at("2026-03-28T12:00:00Z"));
    expect(iso(occ?.start)).toBe("2026-03-29T01:30:00.000Z");
    expect(iso(occ?.end)).toBe("2026-03-29T02:30:00.000Z");
    // The next day is normal again: 02:30 CEST = 00:30Z.
    expect(iso(nextOccurrence(w, at("2026-03-29T03:00:00Z"))?.start)).toBe("2026-03-30T00:30:00.000Z");
  });

  it("keeps the real duration of a window that spans the autumn DST change", () => {
    // 01:30 Berlin + 120 min on 2026-10-25: 23:30Z → 01:30Z, i.e. until 02:30 CET.
    const w = win({ start_at: "2026-10-20T23:30:00Z", time_zone: "Europe/Berlin", duration_minutes: 120 });
    const occ = openOccurrence(w, at("2026-10-25T01:00:00Z"));
    expect(iso(occ?.start)).toBe("2026-10-24T23:30:00.000Z");
    expect(iso(occ?.end)).toBe("2026-10-25T01:30:00.000Z");
  });

  it("runs weekly windows on recurrence_day (0 = Sunday) only", () => {
    const w = win({ recurrence: "weekly", recurrence_day: 2, start_at: "2026-01-01T22:00:00Z", duration_minutes: 60 });
    // 2026-01-06 is a Tuesday.
    expect(iso(nextOccurrence(w, at("2026-01-01T00:00:00Z"))?.start)).toBe("2026-01-06T22:00:00.000Z");
    expect(openOccurrence(w, at("2026-01-07T22:30:00Z"))).toBeNull();
    expect(openOccurrence(w, at("2026-01-13T22:30:00Z"))).not.toBeNull();
  });

  it("runs monthly windows on recurrence_day, on the last day of shorter months", () => {
    const w = win({
      recurrence: "monthly",
      recurrence_day: 31,
      start_at: "2026-01-01T03:00:00Z",
      duration_minutes: 60,
    });
    expect(iso(nextOccurrence(w, at("2026-02-01T00:00:00Z"))?.start)).toBe("2026-02-28T03:00:00.000Z");
    expect(iso(nextOccurrence(w, at("2026-03-01T00:00:00Z"))?.start)).toBe("2026-03-31T03:00:00.000Z");
    expect(iso(nextOccurrence(w, at("2026-04-01T00:00:00Z"))?.start)).toBe("2026-04-30T03:00:00.000Z");
  });

  it("lets no host start after the window end minus the expected duration", () => {
    const w = win({}); // 23:00-01:00 UTC
    expect(mayStartHost(w, at("2026-02-10T23:30:00Z"), 60)).toBe(true);
    expect(mayStartHost(w, at("2026-02-11T00:00:00Z"), 60)).toBe(true);
    expect(mayStartHost(w, at("2026-02-11T00:00:01Z"), 60)).toBe(false);
    expect(mayStartHost(w, at("2026-02-10T22:59:00Z"), 1)).toBe(false);
  });

  it("finds the next instant a host may start, skipping an occurrence that is too far gone", () => {
    const w = win({});
    expect(iso(nextHostStart(w, at("2026-02-10T12:00:00Z"), 30) ?? undefined)).toBe("2026-02-10T23:00:00.000Z");
    expect(iso(nextHostStart(w, at("2026-02-10T23:10:00Z"), 30) ?? undefined)).toBe("2026-02-10T23:10:00.000Z");
    expect(iso(nextHostStart(w, at("2026-02-11T00:45:00Z"), 30) ?? undefined)).toBe("2026-02-11T23:00:00.000Z");
    expect(nextHostStart(w, at("2026-02-10T12:00:00Z"), 121)).toBeNull();
  });
});
