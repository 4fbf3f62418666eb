import { describe, expect, it } from "vitest";
import { normalizeUserCode } from "./device-code";

describe("normalizeUserCode", () => {
  it("accepts the code in any case, with or without the dash and spaces", () => {
    expect(normalizeUserCode("BCDF-GHJK")).toBe("BCDF-GHJK");
    expect(normalizeUserCode(" bcdf ghjk ")).toBe("BCDF-GHJK");
    expect(normalizeUserCode("bcdfghjk")).toBe("BCDF-GHJK");
  });
  it("refuses what cannot be a user code", () => {
    expect(normalizeUserCode("")).toBeUndefined();
    expect(normalizeUserCode("BCDF-GHJ")).toBeUndefined();
    expect(normalizeUserCode("BCDF-GHJKL")).toBeUndefined();
    expect(normalizeUserCode("BCD1-GHJK")).toBeUndefined();
    expect(normalizeUserCode("BCDF_GHJK")).toBeUndefined();
  });
});
