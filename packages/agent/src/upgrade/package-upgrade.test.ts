import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../log";
import type { PackageEnv } from "../patch/package-env";
import { PackageRunner } from "../patch/package-runner";
import {
  buildDeb,
  debToolsMissing,
  makeAptSandbox,
  sandboxRun,
  sandboxVersion,
  writeRepo,
} from "../test-support/deb-repo";
import { PackageUpgrade } from "./package-upgrade";
import { SelfUpgrader } from "./self-upgrade";

/**
 * A package-installed agent upgrades with apt from the repository (real apt + dpkg in a temporary
 * root, a `file:` repository of fleetgate-agent packages built here), verifies the new version and
 * reinstalls the exact previous one when it does not take.
 */
const missing = debToolsMissing();
if (missing) console.log(`skip: package self-upgrade tests need Debian's tools: ${missing}`);

const EXE = "/usr/bin/fleetgate-agent";
const PLATFORM = `linux-${process.arch === "arm64" ? "arm64" : "x64"}`;
const ANY_SHA = "a".repeat(64);
let work = "";

/** A fleetgate-agent package whose executable prints `prints`; its postinst records the self-upgrade marker. */
const agentDeb = (version: string, prints: string) =>
  buildDeb(
    {
      name: "fleetgate-agent",
      version,
      files: { [EXE]: `#!/bin/sh\necho ${prints}\n` },
      postinst: 'echo "${FLEETGATE_AGENT_SELF_UPGRADE:-unset}" >> "$DPKG_ROOT/var/log/fg-postinst"',
    },
    work,
    path.join(work, "debs"),
  );

function setup(): { env: PackageEnv; pkg: PackageUpgrade; stateDir: string } {
  const repo = path.join(work, "repo");
  const base = mkdtempSync(path.join(work, "sb-"));
  const env = makeAptSandbox(base, [repo]);
  sandboxRun(env, "apt-get", ["-q", "update"]);
  sandboxRun(env, "apt-get", ["-q", "-y", "install", "fleetgate-agent=1.0.0"]);
  const stateDir = path.join(base, "state");
  mkdirSync(stateDir, { recursive: true });
  return { env, pkg: new PackageUpgrade(new PackageRunner(env)), stateDir };
}

const upgrader = (
  s: { env: PackageEnv; pkg: PackageUpgrade; stateDir: string },
  currentVersion: string,
  extra: { now?: () => number; restart?: () => void } = {},
) =>
  new SelfUpgrader({
    executable: path.join(s.env.root, EXE.slice(1)),
    stateDir: s.stateDir,
    server: "https://cp.example.test",
    currentVersion,
    logger: silentLogger,
    restart: extra.restart ?? (() => {}),
    packaged: s.pkg,
    // The packaged "executable" is a shell script: run it as `sh <file> --version`.
    probeVersion: (exe) =>
      new Promise((resolve, reject) =>
        execFile("sh", [exe, "--version"], (e, out) => (e ? reject(e) : resolve(out.trim()))),
      ),
    fetch: async () => {
      throw new Error("a package-managed agent downloads nothing itself");
    },
    ...(extra.now ? { now: extra.now } : {}),
  });

describe.skipIf(missing !== null)("package-managed self-upgrade (apt sandbox)", { timeout: 120_000 }, () => {
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "fg-pkgup-"));
    const repo = path.join(work, "repo");
    mkdirSync(repo, { recursive: true });
    for (const deb of [agentDeb("1.0.0", "1.0.0"), agentDeb("2.0.0", "2.0.0"), agentDeb("3.0.0", "9.9.9")])
      copyFileSync(deb, path.join(repo, path.basename(deb)));
    writeRepo(repo, "fleetgate");
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("knows its executable belongs to the package (dpkg-query -S), and nothing else", async () => {
    const s = setup();
    expect(await s.pkg.owns(EXE)).toBe(true);
    expect(await s.pkg.owns("/usr/bin/apt-get")).toBe(false);
    expect(await s.pkg.installedVersion()).toBe("1.0.0");
  });

  it("installs the target version with apt-get, the service left to the agent, then rolls back to the exact previous version", async () => {
    const s = setup();
    const report = await upgrader(s, "1.0.0").install(["2.0.0", ANY_SHA, PLATFORM]);
    expect(report).toMatchObject({ status: "swapped", from_version: "1.0.0", to_version: "2.0.0", method: "package" });
    expect(sandboxVersion(s.env, "fleetgate-agent")?.version).toBe("2.0.0");
    // The maintainer script saw the marker (so it does not try-restart the agent under apt).
    expect(readFileSync(path.join(s.env.root, "var/log/fg-postinst"), "utf8").trim().split("\n").at(-1)).toBe("1");
    const marker = JSON.parse(readFileSync(path.join(s.stateDir, "upgrade.json"), "utf8")) as Record<string, unknown>;
    expect(marker).toMatchObject({ from_version: "1.0.0", to_version: "2.0.0", package_previous: "1.0.0" });

    // The new version starts but never reconnects: past the deadline its start reinstalls 1.0.0 and restarts.
    let restarts = 0;
    const late = upgrader(s, "2.0.0", { now: () => Date.now() + 3_600_000, restart: () => restarts++ });
    expect(await late.onStart()).toBe(true);
    expect(sandboxVersion(s.env, "fleetgate-agent")?.version).toBe("1.0.0");
    // Then 1.0.0 starts, sees the upgrade did not take, and clears the marker.
    expect(await upgrader(s, "1.0.0").onStart()).toBe(false);
    expect(existsSync(path.join(s.stateDir, "upgrade.json"))).toBe(false);
    expect(restarts).toBe(0);
  });

  it("a package whose executable is not the promised version is undone at once (exact previous version)", async () => {
    const s = setup();
    await expect(upgrader(s, "1.0.0").install(["3.0.0", ANY_SHA, PLATFORM])).rejects.toThrow(
      /reports version "9\.9\.9", not 3\.0\.0/,
    );
    expect(sandboxVersion(s.env, "fleetgate-agent")?.version).toBe("1.0.0");
    expect(existsSync(path.join(s.stateDir, "upgrade.json"))).toBe(false);
  });

  it("a version the repository does not have: apt-get's refusal, nothing changed", async () => {
    const s = setup();
    await expect(upgrader(s, "1.0.0").install(["4.0.0", ANY_SHA, PLATFORM])).rejects.toThrow(/apt-get install failed/);
    expect(sandboxVersion(s.env, "fleetgate-agent")?.version).toBe("1.0.0");
  });

  it("a confirmed upgrade: the reconnect clears the probation", async () => {
    const s = setup();
    await upgrader(s, "1.0.0").install(["2.0.0", ANY_SHA, PLATFORM]);
    const fresh = upgrader(s, "2.0.0");
    expect(await fresh.onStart()).toBe(false);
    await fresh.onConnected();
    expect(existsSync(path.join(s.stateDir, "upgrade.json"))).toBe(false);
    expect(sandboxVersion(s.env, "fleetgate-agent")?.version).toBe("2.0.0");
  });
});
