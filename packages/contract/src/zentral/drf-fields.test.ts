import { describe, expect, it } from "vitest";
import { charField, integerField, pythonTypeName } from "./drf-fields";

describe("DRF emulation", () => {
  it("IntegerField: int(str(v)) after dropping .0, bounds messages", () => {
    const f = (v: unknown) => integerField(v, 30, 604_800);
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
    expect(integerField(undefined, 30, 604_800)).toEqual({ missing: true });
  });

  it("CharField: trimmed, not blank, numbers become strings, other types refused", () => {
    expect(charField("  a ")).toEqual({ value: "a" });
    expect(charField(12)).toEqual({ value: "12" });
    expect(charField(" ")).toEqual({ error: "This field may not be blank." });
    expect(charField({})).toEqual({ error: "Not a valid string." });
    expect(charField("a\0b")).toEqual({ error: "Null characters are not allowed." });
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
