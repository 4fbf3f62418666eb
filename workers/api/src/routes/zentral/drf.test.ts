import { describe, expect, it } from "vitest";
import { naiveUtc } from "./drf";

describe("DRF emulation", () => {
  it("naive UTC datetimes: no offset, microseconds only when non-zero", () => {
    expect(naiveUtc(Date.UTC(2026, 1, 17, 12, 0, 30))).toBe("2026-02-17T12:00:30");
    expect(naiveUtc(Date.UTC(2026, 1, 21, 13, 35, 45, 925))).toBe("2026-02-21T13:35:45.925000");
  });
});
