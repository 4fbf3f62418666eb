/**
 * The signed apt and yum repository end to end: small .deb and .rpm packages built with the
 * agent's packaging (dpkg-deb, rpmbuild; a stand-in executable) are published to the dev server's
 * local R2 as an extra release (not the latest), the metadata is regenerated through the admin API,
 * and the real package managers read the served repository: `apt-get update` (signature checked
 * against the key from GET /pki/repo-config) and `apt-get download`, gpgv on InRelease, and dnf with
 * repo_gpgcheck in a temporary --installroot. A foreign key makes apt refuse the repository.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
// @ts-expect-error -- plain ESM build script without type declarations
import { buildDeb, buildRpm } from "../../packages/agent/release/build-packages.mjs";
import { adminAccess } from "./agent-process";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const base = () => inject("baseUrl");
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const canBuild = has("dpkg-deb") && has("rpmbuild");
const canApt = canBuild && has("apt-get") && has("gpgv") && has("gpg");
const canDnf = canBuild && has("dnf");
if (!canBuild) console.log("skip: the repository test needs dpkg-deb and rpmbuild to build its packages");
if (canBuild && !canApt) console.log("skip: apt-get, gpg or gpgv not installed: the apt part is skipped");
if (canBuild && !canDnf) console.log("skip: dnf is not installed (apt-get install dnf): the yum part is skipped");

// A version of its own per run, lower than any real release; never made the latest.
const version = `0.0.1-repotest.${Date.now().toString(36)}`;
let work = "";
let access = "";
let deb = "";
let rpm = "";
const sha256 = async (file: string) =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");

async function api(pathname: string, init: RequestInit = {}) {
  return fetch(`${base()}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${access}`, "content-type": "application/json", ...init.headers },
  });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "fg-repo-e2e-"));
  if (!canBuild) return;
  const executable = path.join(work, "agent");
  await writeFile(executable, `#!/bin/sh\necho ${version}\n`);
  await chmod(executable, 0o755);
  const release = path.join(work, "release");
  deb = await buildDeb({ version, arch: "x64", executable, outDir: release });
  rpm = await buildRpm({ version, arch: "x64", executable, outDir: release });
  const entry = async (file: string, kind: "deb" | "rpm") => ({
    os: "linux",
    arch: "x64",
    kind,
    file: path.basename(file),
    size: (await readFile(file)).length,
    sha256: await sha256(file),
  });
  const manifest = {
    name: "fleetgate-agent",
    version,
    node: "test",
    artifacts: [],
    packages: [await entry(deb, "deb"), await entry(rpm, "rpm")],
  };
  await writeFile(path.join(release, "manifest.json"), JSON.stringify(manifest));
  execFileSync(
    process.execPath,
    [
      path.join(root, "scripts/publish-agent.mjs"),
      "--local",
      "--persist-to",
      inject("persistDir"),
      "--release-dir",
      release,
      "--no-latest",
    ],
    { cwd: root, stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 },
  );
  // After the uploads: a keep-alive connection opened before them may be stale by now.
  access = await adminAccess(base());
}, 180_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.runIf(canBuild)("agent package repository", () => {
  let repoKey = "";

  it("regenerates the metadata (admin), lists the packages and the run, and serves the repo config", async () => {
    const res = await api("/api/v1/admin/repo/regenerate-metadata", { method: "POST", body: "{}" });
    expect(res.status, await res.clone().text()).toBe(200);
    const run = (await res.json()) as { status: string; packages_synced: number; fingerprint: string };
    expect(run.packages_synced).toBeGreaterThanOrEqual(2);
    expect(run.fingerprint).toMatch(/^[0-9A-F]{40}$/);

    const listed = (await (await api("/api/v1/admin/repo/packages")).json()) as {
      packages: { filename: string; version: string; arch: string; distro: string; file_size: number }[];
    };
    expect(listed.packages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ filename: path.basename(deb), version, arch: "amd64", distro: "debian" }),
        expect.objectContaining({ filename: path.basename(rpm), arch: "x86_64", distro: "rhel" }),
      ]),
    );
    const status = (await (await api("/api/v1/admin/repo/sync-status")).json()) as {
      recent_syncs: { status: string; triggered_by: string }[];
      total_packages: number;
    };
    expect(status.recent_syncs[0]).toMatchObject({ triggered_by: "manual" });
    expect(status.total_packages).toBeGreaterThanOrEqual(2);

    const config = await fetch(`${base()}/api/v1/pki/repo-config?distro_id=debian&codename=bookworm`);
    expect(config.status).toBe(200);
    const body = (await config.json()) as { gpg_public_key: string; sources_config: string; keyring_path: string };
    expect(body.sources_config).toBe(`deb [signed-by=${body.keyring_path}] ${base()}/agent/v1/repo/apt/ ./\n`);
    repoKey = body.gpg_public_key;
    expect(repoKey).toContain("BEGIN PGP PUBLIC KEY BLOCK");
  });

  describe.runIf(canApt)("apt", () => {
    const aptDir = () => path.join(work, "apt");
    const apt = async (keyring: string, ...args: string[]) => {
      const dir = aptDir();
      await writeFile(path.join(dir, "sources.list"), `deb [signed-by=${keyring}] ${base()}/agent/v1/repo/apt/ ./\n`);
      return spawnSync(
        "apt-get",
        [
          "-o",
          `Dir::Etc::SourceList=${dir}/sources.list`,
          "-o",
          "Dir::Etc::SourceParts=/nonexistent",
          "-o",
          `Dir::Etc::Preferences=${dir}/preferences`,
          "-o",
          `Dir::Etc::PreferencesParts=/nonexistent`,
          "-o",
          `Dir::State=${dir}/state`,
          "-o",
          `Dir::State::Status=${dir}/status`,
          "-o",
          `Dir::Cache=${dir}/cache`,
          "-o",
          "APT::Architecture=amd64",
          "-o",
          "APT::Sandbox::User=root",
          "-o",
          "Debug::NoLocking=1",
          ...args,
        ],
        { cwd: dir, encoding: "utf8", timeout: 60_000 },
      );
    };

    beforeAll(async () => {
      await mkdir(path.join(aptDir(), "state/lists/partial"), { recursive: true });
      await mkdir(path.join(aptDir(), "cache/archives/partial"), { recursive: true });
      await writeFile(path.join(aptDir(), "status"), "");
    });

    it("apt-get update verifies the signature with the served key; apt-get download gets the exact .deb", async () => {
      const keyring = path.join(aptDir(), "fleetgate-agent.asc");
      await writeFile(keyring, repoKey);
      const update = await apt(keyring, "update");
      expect(update.status, `${update.stdout}\n${update.stderr}`).toBe(0);
      expect(`${update.stdout}${update.stderr}`).not.toMatch(/^(W|E):/m);
      const download = await apt(keyring, "download", `fleetgate-agent=${version}`);
      expect(download.status, `${download.stdout}\n${download.stderr}`).toBe(0);
      const fetched = path.join(aptDir(), path.basename(deb).replace(/:/g, "%3a"));
      expect(await sha256(fetched)).toBe(await sha256(deb));

      // gpgv itself, on the served InRelease and Release + Release.gpg.
      const gpgKeyring = path.join(aptDir(), "key.gpg");
      execFileSync("gpg", ["--batch", "--yes", "--dearmor", "--output", gpgKeyring, keyring]);
      const inRelease = path.join(aptDir(), "InRelease");
      await writeFile(
        inRelease,
        Buffer.from(await (await fetch(`${base()}/agent/v1/repo/apt/InRelease`)).arrayBuffer()),
      );
      expect(spawnSync("gpgv", ["--keyring", gpgKeyring, inRelease]).status).toBe(0);
      const release = path.join(aptDir(), "Release");
      const sig = path.join(aptDir(), "Release.gpg");
      await writeFile(release, Buffer.from(await (await fetch(`${base()}/agent/v1/repo/apt/Release`)).arrayBuffer()));
      await writeFile(sig, Buffer.from(await (await fetch(`${base()}/agent/v1/repo/apt/Release.gpg`)).arrayBuffer()));
      expect(spawnSync("gpgv", ["--keyring", gpgKeyring, sig, release]).status).toBe(0);
      await writeFile(release, `${await readFile(release, "utf8")}X-Tampered: yes\n`);
      expect(spawnSync("gpgv", ["--keyring", gpgKeyring, sig, release]).status).not.toBe(0);
    });

    it("apt refuses the repository with a foreign key", async () => {
      const home = path.join(work, "gnupg");
      await mkdir(home, { recursive: true, mode: 0o700 });
      execFileSync(
        "gpg",
        [
          "--homedir",
          home,
          "--batch",
          "--passphrase",
          "",
          "--quick-gen-key",
          "Other <o@example.test>",
          "ed25519",
          "sign",
          "never",
        ],
        { stdio: "ignore" },
      );
      const foreign = path.join(aptDir(), "foreign.asc");
      await writeFile(foreign, execFileSync("gpg", ["--homedir", home, "--armor", "--export"]));
      await rm(path.join(aptDir(), "state/lists"), { recursive: true, force: true });
      await mkdir(path.join(aptDir(), "state/lists/partial"), { recursive: true });
      const update = await apt(foreign, "update");
      expect(`${update.stdout}${update.stderr}`).toMatch(/NO_PUBKEY|not signed|couldn't be verified/);
    });
  });

  describe.runIf(canDnf)("dnf", () => {
    it("dnf reads the signed repository (repo_gpgcheck) in an installroot and finds the package", async () => {
      const config = (await (await fetch(`${base()}/api/v1/pki/repo-config?distro_id=rocky&codename=9`)).json()) as {
        gpg_public_key: string;
        sources_config: string;
        keyring_path: string;
      };
      expect(config.sources_config).toContain("repo_gpgcheck=1");
      const dir = path.join(work, "dnf");
      await mkdir(path.join(dir, "repos.d"), { recursive: true });
      await mkdir(path.join(dir, "root"), { recursive: true });
      const keyFile = path.join(dir, "RPM-GPG-KEY-fleetgate-agent");
      await writeFile(keyFile, config.gpg_public_key);
      await writeFile(
        path.join(dir, "repos.d", "fleetgate-agent.repo"),
        config.sources_config.replace(`file://${config.keyring_path}`, `file://${keyFile}`),
      );
      const dnf = (...args: string[]) =>
        spawnSync(
          "dnf",
          [
            "-y",
            `--installroot=${path.join(dir, "root")}`,
            `--setopt=reposdir=${path.join(dir, "repos.d")}`,
            `--setopt=cachedir=${path.join(dir, "cache")}`,
            "--releasever=9",
            "--forcearch=x86_64",
            ...args,
          ],
          { encoding: "utf8", timeout: 60_000 },
        );
      const query = dnf("repoquery", "--qf", "%{name} %{version} %{arch} %{location}", "fleetgate-agent");
      const out = `${query.stdout}\n${query.stderr}`;
      expect(query.status, out).toBe(0);
      expect(query.stdout).toContain(
        `fleetgate-agent ${version.replace(/-/g, "~")} x86_64 packages/${version}/${path.basename(rpm)}`,
      );
      // The location the metadata names serves the very file.
      const served = Buffer.from(
        await (await fetch(`${base()}/agent/v1/repo/yum/packages/${version}/${path.basename(rpm)}`)).arrayBuffer(),
      );
      expect(createHash("sha256").update(served).digest("hex")).toBe(await sha256(rpm));
    });
  });
});
