import { describe, expect, it } from "vitest";
import { completedOverTime, histogram, perWeek } from "./buckets";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7);

describe("perWeek", () => {
  it("counts dates into weeks from now and drops past and far-future ones", () => {
    const at = (days: number) => new Date(NOW + days * DAY).toISOString();
    const r = perWeek([at(-1), at(0), at(6.9), at(7), at(20), at(100)], NOW, 4);
    expect(r.counts).toEqual([2, 1, 1, 0]);
    expect(r.start[1]).toBe(NOW + 7 * DAY);
  });
});

describe("histogram", () => {
  it("puts values on a bound into that bucket and the rest in the open last one", () => {
    expect(histogram([0, 1, 1.5, 7, 8, 30, 31, Number.POSITIVE_INFINITY], [1, 7, 30])).toEqual([2, 2, 2, 2]);
  });
});

describe("completedOverTime", () => {
  it("is a cumulative step per second, merging completions of the same second, skipping nulls", () => {
    const r = completedOverTime(["2026-12-07T10:00:05.100Z", null, "2026-12-07T10:00:01Z", "2026-12-07T10:00:05.900Z"]);
    const t = Date.UTC(2026, 11, 7, 10, 0, 0) / 1000;
    expect(r).toEqual({ x: [t + 1, t + 5], y: [1, 3] });
  });
});
