import { describe, expect, it } from "vitest";
import { AGE_BUCKETS, cveSeries, historySeries, latestAges, StatusHistory } from "./status-history";

const point = (taken_at: string, pct: number, sev: Record<string, number>) => ({
  taken_at,
  reason: "daily",
  total_hosts: 4,
  compliant: 3,
  non_compliant: 1,
  unknown: 0,
  compliance_pct: pct,
  total_pending: 5,
  pending_by_severity: sev,
  patch_age: {},
  last_seen: {},
});

describe("latestAges", () => {
  it("takes the newest snapshot's buckets in the server's order, 0 for a missing bucket", () => {
    const old = { ...point("2026-12-01T00:00:00.000Z", 50, {}), patch_age: { ">90d": 4 } };
    const now = {
      ...point("2026-12-02T00:00:00.000Z", 75, {}),
      patch_age: { never: 1, "0-1d": 2, "7-30d": 1 },
      last_seen: { "0-1d": 4 },
    };
    const points = StatusHistory.parse({ group_id: null, from: "x", to: "y", points: [now, old] }).points;
    expect(AGE_BUCKETS).toEqual(["0-1d", "1-7d", "7-30d", "30-90d", ">90d", "never"]);
    expect(latestAges(points, "patch_age")).toEqual([2, 0, 1, 0, 0, 1]);
    expect(latestAges(points, "last_seen")).toEqual([4, 0, 0, 0, 0, 0]);
    expect(latestAges([], "patch_age")).toBeUndefined();
  });
});

describe("historySeries", () => {
  it("orders points by time and severities most severe first, filling gaps with 0", () => {
    const h = StatusHistory.parse({
      group_id: null,
      from: "2026-12-01T00:00:00.000Z",
      to: "2026-12-03T00:00:00.000Z",
      points: [
        point("2026-12-02T00:00:00.000Z", 75, { low: 2, critical: 1 }),
        point("2026-12-01T00:00:00.000Z", 50, { security: 3, zeta: 1 }),
      ],
    });
    const s = historySeries(h.points);
    expect(s.x).toEqual([Date.parse("2026-12-01T00:00:00Z") / 1000, Date.parse("2026-12-02T00:00:00Z") / 1000]);
    expect(s.compliance).toEqual([50, 75]);
    expect(s.severities).toEqual([
      { label: "critical", values: [0, 1] },
      { label: "security", values: [3, 0] },
      { label: "low", values: [0, 2] },
      { label: "zeta", values: [1, 0] },
    ]);
  });
  it("refuses an answer of the wrong shape", () => {
    expect(StatusHistory.safeParse({ points: [{ taken_at: "x" }] }).success).toBe(false);
  });
});

describe("cveSeries", () => {
  it("orders points by time and severities most severe first; snapshots without CVE counts are left out", () => {
    const h = StatusHistory.parse({
      group_id: null,
      from: "2026-12-01T00:00:00.000Z",
      to: "2026-12-04T00:00:00.000Z",
      points: [
        { ...point("2026-12-03T00:00:00.000Z", 75, {}), cves_by_severity: { low: 2, critical: 1, unknown: 4 } },
        { ...point("2026-12-01T00:00:00.000Z", 50, {}), cves_by_severity: null },
        point("2026-12-01T12:00:00.000Z", 50, {}),
        { ...point("2026-12-02T00:00:00.000Z", 60, {}), cves_by_severity: { high: 3 } },
      ],
    });
    const s = cveSeries(h.points);
    expect(s.x).toEqual([Date.parse("2026-12-02T00:00:00Z") / 1000, Date.parse("2026-12-03T00:00:00Z") / 1000]);
    expect(s.series).toEqual([
      { label: "critical", values: [0, 1] },
      { label: "high", values: [3, 0] },
      { label: "medium", values: [0, 0] },
      { label: "low", values: [0, 2] },
      { label: "unknown", values: [0, 4] },
    ]);
    expect(cveSeries([]).x).toEqual([]);
  });
});
