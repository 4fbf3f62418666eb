import { describe, expect, it } from "vitest";
import { cvssSeverity, labelSeverity, maxSeverity, osvSeverity } from "./osv-severity";

describe("OSV severity", () => {
  it("rates CVSS vectors by their base score (3.x and 4.0: FIRST's table; 2.0: NVD's, no critical)", () => {
    expect(cvssSeverity("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")).toBe("critical"); // 9.8
    expect(cvssSeverity("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H")).toBe("high"); // 8.1
    expect(cvssSeverity("CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")).toBe("medium"); // 6.1
    expect(cvssSeverity("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N")).toBe("low"); // 3.7
    expect(cvssSeverity("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N")).toBe("low"); // 0.0
    expect(cvssSeverity("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")).toBe("critical"); // 9.3
    expect(cvssSeverity("CVSS_V2", "AV:N/AC:L/Au:N/C:C/I:C/A:C")).toBe("high"); // 10.0
    expect(cvssSeverity("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P")).toBe("high"); // 7.5
  });

  it("never scores a partial, malformed or unknown-type vector (no rating rather than 0.0)", () => {
    expect(cvssSeverity("CVSS_V3", "CVSS:3.1/AV:N/AC:L")).toBeNull();
    expect(cvssSeverity("CVSS_V4", "CVSS:4.0/AV:N/AC:L")).toBeNull();
    expect(cvssSeverity("CVSS_V3", "not a vector")).toBeNull();
    expect(cvssSeverity("CVSS_V3", "")).toBeNull();
    expect(cvssSeverity("CVSS_V5", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")).toBeNull();
  });

  it("maps the distributions' labels; unassigned ones are no rating", () => {
    expect(["Critical", "CRITICAL"].map(labelSeverity)).toEqual(["critical", "critical"]);
    expect(["Important", "HIGH", "high*"].map(labelSeverity)).toEqual(["high", "high", "high"]);
    expect(["Moderate", "MODERATE", "medium**"].map(labelSeverity)).toEqual(["medium", "medium", "medium"]);
    expect(["Low", "negligible", "unimportant"].map(labelSeverity)).toEqual(["low", "low", "low"]);
    expect(["not yet assigned", "end-of-life", ""].map(labelSeverity)).toEqual([null, null, null]);
    expect(maxSeverity("low", "high")).toBe("high");
    expect(maxSeverity(null, "medium")).toBe("medium");
    expect(maxSeverity(null, null)).toBeNull();
  });

  it("a record's severity is the highest it states, from any of its sources", () => {
    expect(osvSeverity({})).toBeNull();
    // Ubuntu: its priority and a CVSS vector; the higher wins.
    expect(
      osvSeverity({
        severity: [
          { type: "Ubuntu", score: "medium" },
          { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H" },
        ],
      }),
    ).toBe("high");
    // Red Hat / Alma / Rocky style.
    expect(osvSeverity({ database_specific: { severity: "Important" } })).toBe("high");
    // Debian's urgency per affected package.
    expect(osvSeverity({ affected: [{ ecosystem_specific: { urgency: "low" } }, { ecosystem_specific: {} }] })).toBe(
      "low",
    );
    expect(osvSeverity({ affected: [{ database_specific: { severity: 7 } }] })).toBeNull();
    expect(osvSeverity({ affected: [{ ecosystem_specific: { urgency: "not yet assigned" } }] })).toBeNull();
  });
});
