import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { InstalledPackage } from "@fleetgate/contract/agent";
import { describe, expect, it } from "vitest";
import { backendFor, patchEnv } from "./backend-select";
import { rpmnewFiles } from "./dnf-backend";
import { addExcludes } from "./dnf-hold";
import {
  classifyUpdates,
  evr,
  nevra,
  parseNevra,
  parseRepoquery,
  parseRpmQuery,
  parseUpdateinfoList,
  rpmKernelReboot,
} from "./dnf-parse";

const pkg = (name: string, version: string, arch = "x86_64"): InstalledPackage => ({
  name,
  version,
  arch,
  source: name,
  source_version: version,
  status: "ii",
});

describe("dnf/rpm parsing", () => {
  it("reads rpm -qa lines: EPOCHNUM, source rpm, gpg-pubkey skipped, the newest of an installonly package", () => {
    const text = [
      "bash\t0\t5.1.8\t9.el9\tx86_64\tbash-5.1.8-9.el9.src.rpm",
      "openssl-libs\t1\t3.0.7\t27.el9\tx86_64\topenssl-3.0.7-27.el9.src.rpm",
      "gpg-pubkey\t0\tfd431d51\t4ae0493b\t(none)\t(none)",
      "kernel-core\t0\t5.14.0\t362.8.1.el9_3\tx86_64\tkernel-5.14.0-362.8.1.el9_3.src.rpm",
      "kernel-core\t0\t5.14.0\t427.13.1.el9_4\tx86_64\tkernel-5.14.0-427.13.1.el9_4.src.rpm",
      "kernel-core\t0\t5.14.0\t70.13.1.el9_0\tx86_64\tkernel-5.14.0-70.13.1.el9_0.src.rpm",
      "garbage",
      "odd\t0\t:\t1\tx86_64\todd-1.src.rpm",
      "odd\t0\t1.0\t1\tx86_64\todd-1.src.rpm",
    ].join("\n");
    expect(parseRpmQuery(text)).toEqual([
      { ...pkg("bash", "5.1.8-9.el9"), source: "bash", source_version: "5.1.8-9.el9" },
      { ...pkg("openssl-libs", "1:3.0.7-27.el9"), source: "openssl", source_version: "3.0.7-27.el9" },
      { ...pkg("kernel-core", "5.14.0-427.13.1.el9_4"), source: "kernel", source_version: "5.14.0-427.13.1.el9_4" },
      // A version rpm's ordering cannot read is kept as printed (and never breaks the inventory).
      { ...pkg("odd", ":-1"), source: "odd", source_version: ":-1" },
    ]);
  });

  it("splits NEVRAs and builds them back", () => {
    expect(parseNevra("openssl-libs-1:3.0.7-27.el9.x86_64")).toEqual({
      name: "openssl-libs",
      version: "1:3.0.7-27.el9",
      arch: "x86_64",
    });
    expect(parseNevra("python3-dnf-plugin-x-4.3.0-13.el9.noarch.rpm")).toEqual({
      name: "python3-dnf-plugin-x",
      version: "4.3.0-13.el9",
      arch: "noarch",
    });
    expect(parseNevra("nodots")).toBeNull();
    expect(parseNevra("name.x86_64")).toBeNull();
    expect(nevra({ name: "a", version: "2:1.0-1", arch: "noarch" })).toBe("a-2:1.0-1.noarch");
    expect(evr("0", "1.0", "1")).toBe("1.0-1");
    expect(evr("3", "1.0", "1")).toBe("3:1.0-1");
  });

  it("reads repoquery lines and updateinfo lists (advisories and CVEs)", () => {
    expect(parseRepoquery("demo|0|2.0|1|noarch|updates\nbad line\nx|2|1|3|x86_64|baseos\n")).toEqual([
      { name: "demo", arch: "noarch", version: "2.0-1", repoid: "updates" },
      { name: "x", arch: "x86_64", version: "2:1-3", repoid: "baseos" },
    ]);
    const list = parseUpdateinfoList(
      [
        "RHSA-2024:1234 Important/Sec.  openssl-libs-1:3.0.7-27.el9.x86_64",
        "FEDORA-2024-1 bugfix bash-5.2.26-1.fc40.x86_64",
        "ALSA-2024:9 Sec. curl-7.76.1-29.el9_4.x86_64",
        "CVE-2024-0727  Moderate/Sec. openssl-libs-1:3.0.7-27.el9.x86_64",
      ].join("\n"),
    );
    expect(list.map((a) => [a.id, a.security, a.name, a.version])).toEqual([
      ["RHSA-2024:1234", true, "openssl-libs", "1:3.0.7-27.el9"],
      ["FEDORA-2024-1", false, "bash", "5.2.26-1.fc40"],
      ["ALSA-2024:9", true, "curl", "7.76.1-29.el9_4"],
      ["CVE-2024-0727", true, "openssl-libs", "1:3.0.7-27.el9"],
    ]);
  });

  it("classifies an update by the advisories between the installed and the candidate version; none → unknown", () => {
    const installed = [pkg("a", "1.0-1"), pkg("b", "1.0-1"), pkg("c", "1.0-1")];
    const upgrades = [
      { name: "a", arch: "x86_64", version: "1.2-1", repoid: "updates" },
      { name: "b", arch: "x86_64", version: "1.1-1", repoid: "updates" },
      { name: "c", arch: "x86_64", version: "1.1-1", repoid: "third-party" },
    ];
    const adv = (id: string, security: boolean, name: string, version: string) => ({
      id,
      security,
      name,
      arch: "x86_64",
      version,
    });
    const advisories = [
      adv("SA-1", true, "a", "1.1-1"), // between installed and candidate: counts
      adv("SA-0", true, "b", "1.0-1"), // the installed version's own advisory: already applied
      adv("BA-1", false, "b", "1.1-1"),
      adv("SA-9", true, "a", "1.3-1"), // beyond the candidate: not this update
    ];
    const cves = [adv("CVE-2024-1111", true, "a", "1.1-1"), adv("CVE-2023-0001", true, "b", "1.0-1")];
    expect(classifyUpdates(upgrades, installed, advisories, cves)).toEqual([
      {
        name: "a",
        arch: "x86_64",
        current_version: "1.0-1",
        candidate_version: "1.2-1",
        origins: ["updates"],
        security: true,
        cve_ids: ["CVE-2024-1111"],
      },
      {
        name: "b",
        arch: "x86_64",
        current_version: "1.0-1",
        candidate_version: "1.1-1",
        origins: ["updates"],
        security: false,
        cve_ids: [],
      },
      {
        name: "c",
        arch: "x86_64",
        current_version: "1.0-1",
        candidate_version: "1.1-1",
        origins: ["third-party"],
        security: "unknown",
        cve_ids: [],
      },
    ]);
  });

  it("wants a reboot when a newer kernel is installed than the running one", () => {
    const kernels = [pkg("kernel-core", "5.14.0-427.13.1.el9_4"), pkg("kernel-core", "5.14.0-362.8.1.el9_3")];
    expect(rpmKernelReboot(kernels, "5.14.0-362.8.1.el9_3.x86_64")).toBe(
      "kernel 5.14.0-427.13.1.el9_4 installed, 5.14.0-362.8.1.el9_3 running",
    );
    expect(rpmKernelReboot(kernels, "5.14.0-427.13.1.el9_4.x86_64")).toBeNull();
    expect(rpmKernelReboot([pkg("bash", "5-1")], "6.1.0-18-amd64")).toBeNull();
  });

  it("reports config files rpm kept (.rpmnew)", () => {
    expect(rpmnewFiles("warning: /etc/demo.conf created as /etc/demo.conf.rpmnew\nok\n")).toEqual(["/etc/demo.conf"]);
  });
});

describe("dnf hold (excludepkgs)", () => {
  it("adds names to [main] excludepkgs, merging with what is there and keeping other lines", () => {
    expect(addExcludes("", ["demo"])).toBe("[main]\nexcludepkgs=demo\n");
    expect(addExcludes("[main]\ngpgcheck=1\n\n[other]\nx=1\n", ["b", "a"])).toBe(
      "[main]\nexcludepkgs=a,b\ngpgcheck=1\n\n[other]\nx=1\n",
    );
    expect(addExcludes("[main]\nexcludepkgs=kernel*, zz\ngpgcheck=1\n", ["demo", "zz"])).toBe(
      "[main]\nexcludepkgs=demo,kernel*,zz\ngpgcheck=1\n",
    );
    expect(addExcludes("[other]\nexcludepkgs=x\n", ["demo"])).toBe(
      "[main]\nexcludepkgs=demo\n[other]\nexcludepkgs=x\n",
    );
  });
});

describe("backend selection from os-release", () => {
  it("chooses dnf for the RHEL family and apt otherwise", () => {
    expect(backendFor('ID="rhel"\nVERSION_ID="9.4"\n')).toBe("dnf");
    expect(backendFor('ID="rocky"\nID_LIKE="rhel centos fedora"\n')).toBe("dnf");
    expect(backendFor("ID=fedora\n")).toBe("dnf");
    expect(backendFor('ID=almalinux\nID_LIKE="rhel centos fedora"\n')).toBe("dnf");
    expect(backendFor("ID=debian\n")).toBe("apt");
    expect(backendFor("ID=ubuntu\nID_LIKE=debian\n")).toBe("apt");
    expect(backendFor("")).toBe("apt");
  });

  it("a sandbox root whose os-release is of the RHEL family gets a dnf installroot env", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fg-select-"));
    try {
      mkdirSync(path.join(dir, "root/etc"), { recursive: true });
      const config = { enabled: true, pollIntervalSeconds: 60, vaultDir: path.join(dir, "v"), sandboxDir: dir };
      expect(patchEnv(config)).toMatchObject({ backend: "apt", aptConfig: path.join(dir, "apt.conf") });
      writeFileSync(path.join(dir, "root/etc/os-release"), 'ID="almalinux"\nID_LIKE="rhel centos fedora"\n');
      expect(patchEnv(config)).toMatchObject({
        backend: "dnf",
        root: path.join(dir, "root"),
        releasever: "1",
        vaultDir: path.join(dir, "v"),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
