import { describe, expect, it } from "vitest";
import { isTimeZone, utcToZoned, zonedToUtc } from "./zoned-time";

describe("wall-clock time in an explicit zone", () => {
  it("reads a datetime-local value in the window's zone, DST included", () => {
    expect(zonedToUtc("2026-01-15T23:00", "Europe/Berlin")).toBe("2026-01-15T22:00:00.000Z");
    expect(zonedToUtc("2026-07-15T23:00", "Europe/Berlin")).toBe("2026-07-15T21:00:00.000Z");
    expect(zonedToUtc("2026-07-15T23:00", "UTC")).toBe("2026-07-15T23:00:00.000Z");
    expect(zonedToUtc("2026-03-08T01:30", "America/New_York")).toBe("2026-03-08T06:30:00.000Z");
  });

  it("round-trips for editing", () => {
    expect(utcToZoned("2026-07-15T21:00:00.000Z", "Europe/Berlin")).toBe("2026-07-15T23:00");
    expect(utcToZoned("2026-01-15T22:00:00Z", "Asia/Kolkata")).toBe("2026-01-16T03:30");
  });

  it("refuses junk instead of guessing", () => {
    expect(zonedToUtc("2026-07-15 23:00", "UTC")).toBeUndefined();
    expect(zonedToUtc("2026-07-15T23:00", "Mars/Olympus")).toBeUndefined();
    expect(isTimeZone("")).toBe(false);
    expect(utcToZoned("nope", "UTC")).toBe("");
  });
});
