import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dnfSandboxEnv, type PackageEnv } from "../patch/package-env";

/**
 * Level-3 sandbox helpers (shared/reference/patching.md §5): tiny noarch rpms built with
 * rpmbuild, file: repositories with createrepo_c (and updateinfo.xml with modifyrepo_c), a dnf
 * installroot that reads its config from inside the root.
 */
export function rpmToolsMissing(): string | null {
  for (const cmd of ["rpm", "rpmbuild", "dnf", "createrepo_c", "modifyrepo_c"]) {
    if (spawnSync("sh", ["-c", `command -v ${cmd}`]).status !== 0) return `${cmd} is not installed`;
  }
  // dnf5 has other subcommands (advisory instead of updateinfo); the backend speaks dnf 4.
  const v = spawnSync("dnf", ["--version"], { encoding: "utf8" });
  if (!/^4\./.test(v.stdout ?? "")) return "dnf is not dnf 4";
  return null;
}

export interface RpmSpec {
  name: string;
  version: string;
  release?: string;
  epoch?: number;
  requires?: string;
}

/** Builds `name-version-release.noarch.rpm` (ships /usr/share/<name>/version) into `outDir`; returns its path. */
export function buildRpm(spec: RpmSpec, workDir: string, outDir: string): string {
  const release = spec.release ?? "1";
  const specFile = path.join(workDir, `${spec.name}-${spec.version}-${release}.spec`);
  writeFileSync(
    specFile,
    [
      `Name: ${spec.name}`,
      `Version: ${spec.version}`,
      `Release: ${release}`,
      ...(spec.epoch ? [`Epoch: ${spec.epoch}`] : []),
      "Summary: Fleetgate test package",
      "License: MIT",
      "BuildArch: noarch",
      ...(spec.requires ? [`Requires: ${spec.requires}`] : []),
      "%description",
      `test package ${spec.name}`,
      "%install",
      `mkdir -p %{buildroot}/usr/share/${spec.name}`,
      `echo ${spec.version}-${release} > %{buildroot}/usr/share/${spec.name}/version`,
      "%files",
      `/usr/share/${spec.name}/version`,
      "",
    ].join("\n"),
  );
  mkdirSync(outDir, { recursive: true });
  execFileSync(
    "rpmbuild",
    [
      "--define",
      `_topdir ${path.join(workDir, "rpmbuild")}`,
      "--define",
      `_rpmdir ${outDir}`,
      "--define",
      "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
      "-bb",
      specFile,
    ],
    { stdio: "pipe" },
  );
  return path.join(outDir, `${spec.name}-${spec.version}-${release}.noarch.rpm`);
}

export interface Advisory {
  id: string;
  type: "security" | "bugfix";
  severity?: string;
  cves?: string[];
  packages: { name: string; version: string; release: string; epoch?: number }[];
}

/** createrepo_c over `dir`; with advisories, an updateinfo.xml added to its metadata (modifyrepo_c). */
export function writeRpmRepo(dir: string, advisories: Advisory[] = []): void {
  execFileSync("createrepo_c", ["-q", dir], { stdio: "pipe" });
  if (advisories.length === 0) return;
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<updates>",
    ...advisories.map((a) =>
      [
        `<update from="tests@example.invalid" status="stable" type="${a.type}" version="1">`,
        `<id>${esc(a.id)}</id><title>${esc(a.id)}</title>`,
        '<issued date="2026-01-01 00:00:00"/><updated date="2026-01-01 00:00:00"/>',
        `<severity>${esc(a.severity ?? "None")}</severity><description>test</description>`,
        "<references>",
        ...(a.cves ?? []).map(
          (c) => `<reference href="https://example.invalid/${c}" id="${c}" type="cve" title="${c}"/>`,
        ),
        "</references>",
        '<pkglist><collection short="t"><name>t</name>',
        ...a.packages.map(
          (p) =>
            `<package name="${p.name}" version="${p.version}" release="${p.release}" epoch="${p.epoch ?? 0}" arch="noarch"><filename>${p.name}-${p.version}-${p.release}.noarch.rpm</filename></package>`,
        ),
        "</collection></pkglist></update>",
      ].join("\n"),
    ),
    "</updates>",
    "",
  ].join("\n");
  const file = path.join(dir, "updateinfo.xml");
  writeFileSync(file, xml);
  execFileSync("modifyrepo_c", ["--mdtype=updateinfo", file, path.join(dir, "repodata")], { stdio: "pipe" });
  rmSync(file);
}

/** Points the sandbox at these repos only (`root/etc/yum.repos.d/test.repo`, gpgcheck off: unsigned test rpms). */
export function setRpmRepos(env: PackageEnv, repos: string[]): void {
  const text = repos
    .map((r, i) =>
      [`[test${i}-${path.basename(r)}]`, `name=${path.basename(r)}`, `baseurl=file://${r}`, "gpgcheck=0", ""].join(
        "\n",
      ),
    )
    .join("\n");
  writeFileSync(path.join(env.root, "etc/yum.repos.d/test.repo"), text);
}

/** A fresh dnf sandbox (RHEL-like os-release, dnf.conf with `[main]`) reading `repos`. */
export function makeDnfSandbox(base: string, repos: string[]): PackageEnv {
  const { env, dirs } = dnfSandboxEnv(base);
  for (const d of dirs) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(env.root, "etc/dnf/dnf.conf"), "[main]\ngpgcheck=0\ninstallonly_limit=3\n");
  writeFileSync(path.join(env.root, "etc/os-release"), 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n');
  setRpmRepos(env, repos);
  return env;
}

/** Runs dnf in the sandbox (test setup: install the starting versions). */
export function sandboxDnf(env: PackageEnv, args: string[]): string {
  return execFileSync("dnf", ["-y", "-q", `--installroot=${env.root}`, `--releasever=${env.releasever}`, ...args], {
    encoding: "utf8",
    stdio: "pipe",
  });
}

/** The installed EVR of a package in the sandbox (null: not installed). */
export function rpmVersion(env: PackageEnv, name: string): string | null {
  const r = spawnSync("rpm", [`--root=${env.root}`, "-q", "--qf", "%{EPOCHNUM}:%{VERSION}-%{RELEASE}", name], {
    encoding: "utf8",
  });
  if (r.status !== 0) return null;
  return r.stdout.replace(/^0:/, "");
}
