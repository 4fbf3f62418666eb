import { describe, expect, it } from "vitest";
import { compareDpkgVersions, parseDpkgVersion } from "./dpkg-version";
import { compareRpmVersions, rpmvercmp } from "./rpm-version";

// Cross-checked against the real tools in packages/agent/src/patch/version-compare.tools.test.ts.
describe("dpkg ordering", () => {
  it.each([
    ["1.0~rc1-1", "1.0-1", -1],
    ["1.0-1", "1.0-1~bpo1", 1],
    ["1:1.0-1", "2.0-1", 1],
    ["1.0", "1.0-0", 0],
    ["1.0a", "1.0+", -1],
    ["5.2.15-2+b8", "5.2.15-2", 1],
    ["3.0.19-1~deb12u2", "3.0.19-1", -1],
    ["1.01", "1.1", 0],
  ] as const)("%s vs %s → %i", (a, b, r) => {
    expect(compareDpkgVersions(a, b)).toBe(r);
  });

  it("rejects versions dpkg rejects or warns about", () => {
    for (const v of ["", "a1.0", "1.0-", "x:1.0", "1 0", "1.0:1"]) expect(parseDpkgVersion(v)).toBeNull();
    expect(() => compareDpkgVersions("", "1")).toThrow(RangeError);
  });
});

describe("rpm ordering", () => {
  it.each([
    ["1.0", "1.0~rc1", 1],
    ["1.0^git1", "1.0", 1],
    ["1.0^git1", "1.0.1", -1],
    ["1.0a", "1.0", 1],
    ["1.a", "1.1", -1],
    ["2:1.0-1", "1:9.9-9", 1],
    ["1.0-1", "1.0", 1],
    ["1.0010", "1.9", 1],
  ] as const)("%s vs %s → %i", (a, b, r) => {
    expect(compareRpmVersions(a, b)).toBe(r);
  });

  it("treats separators as equal and compares only alphanumeric segments", () => {
    expect(rpmvercmp("1_0", "1.0")).toBe(0);
  });
});
