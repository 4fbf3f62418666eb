import { describe, expect, it } from "vitest";
import {
  cveIdsOf,
  ecosystemKey,
  hostEcosystemKey,
  inInterval,
  intervalsOf,
  OsvRecord,
  rangeIntervals,
} from "./osv-record";

describe("OSV ecosystems", () => {
  it("maps OSV ecosystems and host OS facts to the same keys; others are not imported", () => {
    expect(ecosystemKey("Debian:12")).toBe("debian:12");
    expect(ecosystemKey("Ubuntu:22.04:LTS")).toBe("ubuntu:22.04");
    expect(ecosystemKey("Ubuntu:24.10")).toBe("ubuntu:24.10");
    expect(ecosystemKey("Red Hat:enterprise_linux:9::appstream")).toBe("rhel:9");
    expect(ecosystemKey("Rocky Linux:9")).toBe("rocky:9");
    expect(ecosystemKey("AlmaLinux:8")).toBe("almalinux:8");
    for (const other of ["Ubuntu:Pro:18.04:LTS", "Red Hat:rhel_eus:9.2::baseos", "PyPI", "Debian", "npm"])
      expect(ecosystemKey(other)).toBeNull();
    expect(hostEcosystemKey({ id: "debian", version_id: "12" })).toBe("debian:12");
    expect(hostEcosystemKey({ id: "ubuntu", version_id: "22.04" })).toBe("ubuntu:22.04");
    expect(hostEcosystemKey({ id: "rhel", version_id: "9.4" })).toBe("rhel:9");
    expect(hostEcosystemKey({ id: "rocky", version_id: "9.3" })).toBe("rocky:9");
    expect(hostEcosystemKey({ id: "debian", version_id: "" })).toBeNull();
    expect(hostEcosystemKey({ id: "arch", version_id: "1" })).toBeNull();
  });
});

describe("affected intervals", () => {
  it("orders events by dpkg version and pairs introduced with fixed / last_affected", () => {
    expect(
      rangeIntervals("deb", [{ fixed: "1.2-3" }, { introduced: "1.2~rc1-1" }, { introduced: "0" }, { fixed: "1.0-2" }]),
    ).toEqual([
      { introduced: "0", fixed: "1.0-2", lastAffected: null },
      { introduced: "1.2~rc1-1", fixed: "1.2-3", lastAffected: null },
    ]);
    expect(rangeIntervals("rpm", [{ introduced: "0" }, { last_affected: "1:3.0.7-24.el9" }])).toEqual([
      { introduced: "0", fixed: null, lastAffected: "1:3.0.7-24.el9" },
    ]);
    expect(rangeIntervals("deb", [{ introduced: "0" }])).toEqual([
      { introduced: "0", fixed: null, lastAffected: null },
    ]);
    expect(rangeIntervals("deb", [{ introduced: "0" }, { fixed: "not a version!" }])).toBeNull();
  });

  it("matches with the dpkg and rpm comparison (epochs, tildes, releases), never on an unparsable version", () => {
    const deb = { introduced: "0", fixed: "3.0.11-1~deb12u1", lastAffected: null };
    expect(inInterval("deb", "3.0.9-1", deb)).toBe(true);
    expect(inInterval("deb", "3.0.11-1~deb12u0", deb)).toBe(true);
    expect(inInterval("deb", "3.0.11-1~deb12u1", deb)).toBe(false);
    expect(inInterval("deb", "3.0.11-1", deb)).toBe(false);
    expect(inInterval("deb", "1:1.0-1", deb)).toBe(false);
    expect(inInterval("deb", "bad version", deb)).toBeNull();
    const rpm = { introduced: "0", fixed: "1:3.0.7-25.el9_3", lastAffected: null };
    expect(inInterval("rpm", "1:3.0.7-24.el9", rpm)).toBe(true);
    expect(inInterval("rpm", "1:3.0.7-25.el9_3", rpm)).toBe(false);
    expect(inInterval("rpm", "3.0.7-30.el9", rpm)).toBe(true); // no epoch = epoch 0 < 1
    const last = { introduced: "2.0-1", fixed: null, lastAffected: "2.4-1" };
    expect(inInterval("deb", "1.9-1", last)).toBe(false);
    expect(inInterval("deb", "2.4-1", last)).toBe(true);
    expect(inInterval("deb", "2.4-2", last)).toBe(false);
  });

  it("keeps ECOSYSTEM ranges of known ecosystems; CVE ids from id, aliases and upstream; withdrawn records none", () => {
    const r = OsvRecord.parse({
      id: "DSA-5532-1",
      modified: "2026-01-02T00:00:00Z",
      aliases: ["CVE-2023-5363", "not-a-cve"],
      upstream: ["CVE-2023-5678", "CVE-2023-5363"],
      affected: [
        {
          package: { ecosystem: "Debian:12", name: "openssl" },
          ranges: [
            { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.0.11-1~deb12u2" }] },
            { type: "GIT", events: [{ introduced: "abc" }] },
          ],
        },
        { package: { ecosystem: "PyPI", name: "x" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }] },
      ],
    });
    expect(cveIdsOf(r)).toEqual(["CVE-2023-5363", "CVE-2023-5678"]);
    expect(intervalsOf(r)).toEqual([
      { ecosystem: "debian:12", package: "openssl", introduced: "0", fixed: "3.0.11-1~deb12u2", lastAffected: null },
    ]);
    expect(intervalsOf({ ...r, withdrawn: "2026-01-03T00:00:00Z" })).toEqual([]);
  });

  it("rejects records past the bounds or with malformed events", () => {
    const base = { id: "X-1", modified: "2026-01-01T00:00:00Z" };
    expect(OsvRecord.safeParse({ ...base, id: "x".repeat(129) }).success).toBe(false);
    expect(OsvRecord.safeParse({ ...base, aliases: Array(501).fill("CVE-2020-0001") }).success).toBe(false);
    expect(
      OsvRecord.safeParse({
        ...base,
        affected: [{ ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0", fixed: "1" }] }] }],
      }).success,
    ).toBe(false);
    expect(OsvRecord.safeParse({ id: "X-1" }).success).toBe(false);
  });
});
