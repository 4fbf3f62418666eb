import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { aptSandboxEnv, type PackageEnv } from "../patch/package-env";

/** Whether the Debian tools the sandbox tests need are here (they skip with a reason otherwise). */
export function debToolsMissing(): string | null {
  for (const cmd of ["dpkg-deb", "dpkg-scanpackages", "apt-get", "dpkg-query", "apt-mark"]) {
    if (spawnSync("sh", ["-c", `command -v ${cmd}`]).status !== 0) return `${cmd} is not installed`;
  }
  return null;
}

export interface DebSpec {
  name: string;
  version: string;
  depends?: string;
  /** Files to ship, path → content; paths under /etc listed in `conffiles` become conffiles. */
  files?: Record<string, string>;
  conffiles?: string[];
  /** postinst body (sh); honour $DPKG_ROOT. */
  postinst?: string;
}

/** Builds a tiny Architecture: all .deb with dpkg-deb into `outDir`; returns its path. */
export function buildDeb(spec: DebSpec, workDir: string, outDir: string): string {
  const dir = path.join(workDir, `build-${spec.name}-${spec.version}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "DEBIAN"), { recursive: true });
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    "Architecture: all",
    "Maintainer: Fleetgate Tests <tests@example.invalid>",
    ...(spec.depends ? [`Depends: ${spec.depends}`] : []),
    `Description: test package ${spec.name}`,
    "",
  ].join("\n");
  writeFileSync(path.join(dir, "DEBIAN/control"), control);
  const files = { [`/usr/share/${spec.name}/version`]: `${spec.version}\n`, ...(spec.files ?? {}) };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  if (spec.conffiles?.length) writeFileSync(path.join(dir, "DEBIAN/conffiles"), `${spec.conffiles.join("\n")}\n`);
  if (spec.postinst) {
    writeFileSync(path.join(dir, "DEBIAN/postinst"), `#!/bin/sh\nset -e\n${spec.postinst}\n`);
    chmodSync(path.join(dir, "DEBIAN/postinst"), 0o755);
  }
  mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, `${spec.name}_${spec.version}_all.deb`);
  execFileSync("dpkg-deb", ["--root-owner-group", "-Zgzip", "--build", dir, out], { stdio: "pipe" });
  return out;
}

/**
 * A flat `file:` repository of the given debs (`dpkg-scanpackages -m`: keeps several versions),
 * with a Release file whose Suite makes apt call its packages' origin e.g. "…/bookworm-security".
 */
export function writeRepo(repoDir: string, suite: string): void {
  const packages = execFileSync("dpkg-scanpackages", ["-m", ".", "/dev/null"], { cwd: repoDir, stdio: "pipe" });
  writeFileSync(path.join(repoDir, "Packages"), packages);
  const sha = createHash("sha256").update(packages).digest("hex");
  const md5 = createHash("md5").update(packages).digest("hex");
  writeFileSync(
    path.join(repoDir, "Release"),
    [
      "Origin: Fleetgate-Test",
      `Label: ${suite.endsWith("-security") ? "Fleetgate-Security" : "Fleetgate"}`,
      `Suite: ${suite}`,
      `Codename: ${suite}`,
      `Date: ${new Date().toUTCString()}`,
      "MD5Sum:",
      ` ${md5} ${packages.length} Packages`,
      "SHA256:",
      ` ${sha} ${packages.length} Packages`,
      "",
    ].join("\n"),
  );
}

/** A sandbox apt root at `base` whose sources are the given repos; returns its env. */
export function makeAptSandbox(base: string, repos: string[], lockTimeoutSecs = 30): PackageEnv {
  const { env, aptConf, dirs } = aptSandboxEnv(base, { user: userInfo().username, lockTimeoutSecs });
  for (const d of dirs) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(env.dpkgAdmindir, "status"), "");
  writeFileSync(path.join(env.dpkgAdmindir, "available"), "");
  writeFileSync(env.aptConfig ?? path.join(base, "apt.conf"), aptConf);
  setSources(env, repos);
  mkdirSync(path.join(env.root, "etc"), { recursive: true });
  writeFileSync(path.join(env.root, "etc/os-release"), 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
  return env;
}

/** Replaces the sandbox's apt sources. */
export function setSources(env: PackageEnv, repos: string[]): void {
  writeFileSync(
    path.join(env.root, "etc/apt/sources.list"),
    repos.map((r) => `deb [trusted=yes] file:${r} ./\n`).join(""),
  );
}

/** Installed version and dpkg status of a package in the sandbox, or null. */
export function sandboxVersion(env: PackageEnv, name: string): { version: string; status: string } | null {
  const r = spawnSync(
    "dpkg-query",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
    [`--admindir=${env.dpkgAdmindir}`, "-W", "-f=${Version} ${db:Status-Abbrev}", name],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) return null;
  const [version = "", status = ""] = r.stdout.trim().split(" ");
  if (!status.startsWith("i") && !status.startsWith("h")) return null;
  return { version, status };
}

/** Runs a command with the sandbox's APT_CONFIG (test setup steps only). */
export function sandboxRun(env: PackageEnv, cmd: string, args: string[]): string {
  return execFileSync(cmd, args, {
    env: { ...process.env, APT_CONFIG: env.aptConfig ?? "", LC_ALL: "C", DEBIAN_FRONTEND: "noninteractive" },
    stdio: "pipe",
    encoding: "utf8",
  });
}

export function readSandboxFile(env: PackageEnv, file: string): string {
  return readFileSync(path.join(env.root, file), "utf8");
}
