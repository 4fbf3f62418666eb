import { describe, expect, it } from "vitest";
import { DomainError } from "../shared/errors";
import { checkScanRange } from "./scan-range";

const refused = (cidr: string, allow: string[]) => {
  try {
    checkScanRange(cidr, allow);
  } catch (err) {
    if (err instanceof DomainError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return "accepted";
};

describe("checkScanRange", () => {
  const allow = ["10.20.0.0/16", "127.0.0.0/8", "2001:db8::/64"];

  it("accepts ranges of at most 1024 addresses inside an allowlisted block", () => {
    expect(checkScanRange("10.20.4.0/22", allow)).toEqual({ block: "10.20.0.0/16", size: 1024 });
    expect(checkScanRange("127.0.0.8/29", allow)).toEqual({ block: "127.0.0.0/8", size: 8 });
    expect(checkScanRange("10.20.1.7", allow)).toEqual({ block: "10.20.0.0/16", size: 1 });
    expect(checkScanRange("2001:db8::400/118", allow)).toEqual({ block: "2001:db8::/64", size: 1024 });
  });

  it("refuses ranges wider than a /22", () => {
    expect(refused("10.20.0.0/21", allow)).toMatch(/^discovery.invalid_cidr: Invalid CIDR range: at most 1024/);
    expect(refused("10.0.0.0/8", ["0.0.0.0/0"])).toMatch(/at most 1024/);
    expect(refused("2001:db8::/117", allow)).toMatch(/at most 1024/);
  });

  it("refuses ranges outside the allowlist, partly outside it, or with an empty allowlist", () => {
    expect(refused("192.168.1.0/24", allow)).toMatch(/not inside the discovery allowlist/);
    expect(refused("10.20.0.0/24", ["10.20.0.0/25"])).toMatch(/not inside the discovery allowlist/);
    expect(refused("10.20.0.0/24", [])).toMatch(/not inside the discovery allowlist/);
  });

  it("refuses malformed ranges with the reference's text", () => {
    for (const bad of ["", "10.20.0.1/22", "10.20.0.0/33", "10.20.0/22", "nope", "10.20.0.0/22/1", "::g/120"]) {
      expect(refused(bad, allow), bad).toBe("discovery.invalid_cidr: Invalid CIDR range");
    }
  });
});
