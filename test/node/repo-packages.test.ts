// The Worker's .deb and .rpm readers (packages/domain/src/repo/) against packages built by the
// distributions' own tools (the agent's packaging, with a stand-in executable), compared with what
// dpkg-deb and rpm themselves read from the same files.
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- plain ESM build script without type declarations
import { buildDeb, buildRpm } from "../../packages/agent/release/build-packages.mjs";
import { debControlRange, PackageFormatError, readDebControl } from "../../packages/domain/src/repo/deb-package";
import { readRpmInfo, rpmHeaderEnd } from "../../packages/domain/src/repo/rpm-package";

const has = (tool: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const canDeb = has("dpkg-deb");
const canRpm = has("rpmbuild") && has("rpm");
if (!canDeb) console.log("skip: the .deb reader test needs dpkg-deb");
if (!canRpm) console.log("skip: the .rpm reader test needs rpmbuild and rpm");

let work = "";
let executable = "";
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "fg-repo-pkg-"));
  executable = path.join(work, "agent");
  await writeFile(executable, "#!/bin/sh\necho 0.4.2\n");
  await chmod(executable, 0o755);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.runIf(canDeb)(".deb control reader", () => {
  it("reads the fields dpkg-deb reads, from the prefix debControlRange asks for", async () => {
    const file: string = await buildDeb({ version: "0.4.2", arch: "arm64", executable, outDir: work });
    const bytes = new Uint8Array(await readFile(file));
    const range = debControlRange(bytes.subarray(0, 512));
    expect(range).toBeDefined();
    const control = await readDebControl(bytes.subarray(0, range?.end ?? 0));
    for (const field of ["Package", "Version", "Architecture", "Depends", "Installed-Size"])
      expect(control.get(field)).toBe(execFileSync("dpkg-deb", ["-f", file, field], { encoding: "utf8" }).trim());
    expect(control.get("Description")).toContain("\n Enrolls the host");
  });

  it("refuses what is not a .deb, and a truncated control member", async () => {
    await expect(readDebControl(new TextEncoder().encode("not an archive"))).rejects.toBeInstanceOf(PackageFormatError);
    const file: string = await buildDeb({ version: "0.4.3", arch: "x64", executable, outDir: work });
    const bytes = new Uint8Array(await readFile(file));
    await expect(readDebControl(bytes.subarray(0, 200))).rejects.toThrow(/truncated|no control/);
  });
});

describe.runIf(canRpm)(".rpm header reader", () => {
  it("reads name, EVR, arch, sizes, dependencies and files as rpm -qp does", async () => {
    const file: string = await buildRpm({ version: "0.4.2-rc.1", arch: "x64", executable, outDir: work });
    const bytes = new Uint8Array(await readFile(file));
    expect(rpmHeaderEnd(bytes.subarray(0, 100))).toBeUndefined();
    const end = rpmHeaderEnd(bytes);
    expect(end).toBeGreaterThan(96);
    const info = readRpmInfo(bytes.subarray(0, end));
    const q = (fmt: string) => execFileSync("rpm", ["-qp", "--qf", fmt, file], { encoding: "utf8" });
    expect(`${info.name} ${info.version} ${info.release} ${info.arch}`).toBe(
      q("%{NAME} %{VERSION} %{RELEASE} %{ARCH}"),
    );
    expect(info.version).toBe("0.4.2~rc.1");
    expect(String(info.installedSize)).toBe(q("%{SIZE}"));
    expect(info.summary).toBe(q("%{SUMMARY}"));
    expect(info.files.map((f) => f.path).sort()).toEqual(q("[%{FILENAMES}\\n]").trim().split("\n").sort());
    const requires = q("[%{REQUIRENAME}\\n]")
      .trim()
      .split("\n")
      .filter((r) => !r.startsWith("rpmlib("));
    expect(info.requires.map((r) => r.name).sort()).toEqual(requires.sort());
    expect(info.provides.find((p) => p.name === "fleetgate-agent")).toMatchObject({ flags: "EQ", ver: "0.4.2~rc.1" });
    // The header range createrepo_c reports for the same file.
    expect(info.headerEnd).toBe(end);
  });

  it("refuses a file that is not an RPM", () => {
    expect(() => readRpmInfo(new Uint8Array(200))).toThrow(PackageFormatError);
  });
});
