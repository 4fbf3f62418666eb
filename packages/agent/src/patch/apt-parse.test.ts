import { describe, expect, it } from "vitest";
import { changelogCves, debFileName, parseAptSimulation, parseDpkgQuery, parseOsRelease } from "./apt-parse";

describe("apt/dpkg output parsing", () => {
  it("reads dpkg-query lines with source package and version, skipping removed packages", () => {
    const text = [
      "bash\t5.2.15-2+b8\tamd64\tbash\t5.2.15-2\tii ",
      "libc6:amd64\t2.36-9+deb12u13\tamd64\tglibc\t2.36-9+deb12u13\tii ",
      "oldpkg\t1.0\tall\t\t\trc ",
      "broken\t2.0\tall\t\t\tiF ",
    ].join("\n");
    expect(parseDpkgQuery(text)).toEqual([
      { name: "bash", version: "5.2.15-2+b8", arch: "amd64", source: "bash", source_version: "5.2.15-2", status: "ii" },
      {
        name: "libc6",
        version: "2.36-9+deb12u13",
        arch: "amd64",
        source: "glibc",
        source_version: "2.36-9+deb12u13",
        status: "ii",
      },
      { name: "broken", version: "2.0", arch: "all", source: "broken", source_version: "2.0", status: "iF" },
    ]);
  });

  it("parses Inst/Remv lines of apt-get -s and flags -security origins", () => {
    const text = [
      "Reading package lists...",
      "Inst libgcrypt20 [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])",
      "Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.15/oldstable [all])",
      "Inst newdep (1.0-1 localhost [all])",
      "Remv oldthing [0.9-1]",
      "Conf tzdata (2025b-0+deb12u1 Debian:12.15/oldstable [all])",
    ].join("\n");
    const r = parseAptSimulation(text);
    expect(r.removals).toEqual(["oldthing"]);
    expect(r.updates).toEqual([
      {
        name: "libgcrypt20",
        arch: "amd64",
        current_version: "1.10.1-3",
        candidate_version: "1.10.1-3+deb12u1",
        origins: ["Debian:12.15/oldstable", "Debian-Security:12/oldstable-security"],
        security: true,
        cve_ids: [],
      },
      {
        name: "tzdata",
        arch: "all",
        current_version: "2024a-0+deb12u1",
        candidate_version: "2025b-0+deb12u1",
        origins: ["Debian:12.15/oldstable"],
        security: false,
        cve_ids: [],
      },
      {
        name: "newdep",
        arch: "all",
        current_version: null,
        candidate_version: "1.0-1",
        origins: ["localhost"],
        security: false,
        cve_ids: [],
      },
    ]);
  });

  it("reads os-release and derives the family", () => {
    const os = parseOsRelease(
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
      "6.1.0-18-amd64",
      "x86_64",
    );
    expect(os).toMatchObject({ id: "debian", family: "debian", version_id: "12", codename: "bookworm" });
    expect(parseOsRelease('ID="rocky"\nID_LIKE="rhel centos fedora"\n', "5.14", "x86_64").family).toBe("rhel");
    expect(parseOsRelease("ID=ubuntu\nID_LIKE=debian\n", "6.8", "x86_64").family).toBe("debian");
  });

  it("escapes the epoch colon in cached .deb names", () => {
    expect(debFileName("openssl", "1:3.0.19-1", "amd64")).toBe("openssl_1%3a3.0.19-1_amd64.deb");
  });
});

describe("changelogCves", () => {
  const changelog = [
    "openssl (3.0.15-1~deb12u1) bookworm-security; urgency=medium",
    "",
    "  * New upstream release, fixes CVE-2024-5535 and CVE-2024-9143.",
    "",
    " -- Sebastian Andrzej Siewior <sebastian@breakpoint.cc>  Sat, 26 Oct 2024 10:00:00 +0200",
    "",
    "openssl (3.0.14-1~deb12u2) bookworm-security; urgency=medium",
    "",
    "  * CVE-2024-6119 (Possible denial of service in X.509 name checks).",
    "  * Also CVE-2024-5535 again.",
    "",
    " -- Sebastian Andrzej Siewior <sebastian@breakpoint.cc>  Sat, 24 Aug 2024 10:00:00 +0200",
    "",
    "openssl (3.0.13-1~deb12u1) bookworm; urgency=medium",
    "",
    "  * CVE-2023-5678 fixed long ago.",
  ].join("\n");

  it("collects the CVEs of the entries newer than the installed version, unique and sorted", () => {
    expect(changelogCves(changelog, "3.0.13-1~deb12u1")).toEqual(["CVE-2024-5535", "CVE-2024-6119", "CVE-2024-9143"]);
    expect(changelogCves(changelog, "3.0.14-1~deb12u2")).toEqual(["CVE-2024-5535", "CVE-2024-9143"]);
  });

  it("an installed version without an entry, or a new package: only the top entry", () => {
    expect(changelogCves(changelog, "3.0.9-1")).toEqual(["CVE-2024-5535", "CVE-2024-9143"]);
    expect(changelogCves(changelog, null)).toEqual(["CVE-2024-5535", "CVE-2024-9143"]);
    expect(changelogCves("", "1.0")).toEqual([]);
  });
});
