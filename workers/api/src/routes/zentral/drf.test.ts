import { describe, expect, it } from "vitest";
import { charField, integerField, naiveUtc, pythonTypeName } from "./drf";

describe("DRF emulation", () => {
  it("naive UTC datetimes: no offset, microseconds only when non-zero", () => {
    expect(naiveUtc(Date.UTC(2026, 1, 17, 12, 0, 30))).toBe("2026-02-17T12:00:30");
    expect(naiveUtc(Date.UTC(2026, 1, 21, 13, 35, 45, 925))).toBe("2026-02-21T13:35:45.925000");
  });

  it("IntegerField: int(str(v)) after dropping .0, bounds messages", () => {
    const f = (v: unknown) => integerField({ v }, "v", 30, 604_800);
    expect(f(60)).toEqual({ value: 60 });
    expect(f(30.0)).toEqual({ value: 30 });
    expect(f(" 45 ")).toEqual({ value: 45 });
    expect(f("60.00")).toEqual({ value: 60 });
    expect(f(30.5)).toEqual({ error: "A valid integer is required." });
    expect(f(true)).toEqual({ error: "A valid integer is required." });
    expect(f("0x10")).toEqual({ error: "A valid integer is required." });
    expect(f(29)).toEqual({ error: "Ensure this value is greater than or equal to 30." });
    expect(f(10_000_000)).toEqual({ error: "Ensure this value is less than or equal to 604800." });
    // Python: str(1e30) == "1e+30", which int() refuses.
    expect(f(1e30)).toEqual({ error: "A valid integer is required." });
    expect(f(null)).toEqual({ error: "This field may not be null." });
    expect(integerField({}, "v", 30, 604_800)).toEqual({ missing: true });
  });

  it("CharField: trimmed, not blank, numbers become strings, other types refused", () => {
    expect(charField({ v: "  a " }, "v")).toEqual({ value: "a" });
    expect(charField({ v: 12 }, "v")).toEqual({ value: "12" });
    expect(charField({ v: " " }, "v")).toEqual({ error: "This field may not be blank." });
    expect(charField({ v: {} }, "v")).toEqual({ error: "Not a valid string." });
    expect(charField({ v: "a\0b" }, "v")).toEqual({ error: "Null characters are not allowed." });
  });

  it("Python type names for DRF's 'Expected a dictionary' message", () => {
    expect([[], "s", 1, 1.5, true, null].map(pythonTypeName)).toEqual([
      "list",
      "str",
      "int",
      "float",
      "bool",
      "NoneType",
    ]);
  });
});
