import { describe, expect, it } from "vitest";
import { historySeries, StatusHistory } from "./status-history";

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
