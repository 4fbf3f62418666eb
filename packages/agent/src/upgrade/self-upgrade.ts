import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, chmod, copyFile, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { SelfUpgradeArgs, type SelfUpgradeReport } from "@fleetgate/contract/agent";
import { z } from "zod";
import { fsyncDir, writeFileDurable } from "../fs-atomic";
import type { Logger } from "../log";
import { endpoint } from "../proof";
import { type PackageUpgrade, PackageUpgradeError } from "./package-upgrade";

/** The executable is at most this large (the SEA build is ~130 MB). */
const MAX_EXECUTABLE_BYTES = 512 * 1024 * 1024;
/** The new executable must reconnect within this bound, else the previous one comes back. */
export const DEFAULT_PROBATION_MS = 5 * 60_000;
/** Starts of the new executable without a successful connection before it is given up. */
const MAX_PROBATION_STARTS = 3;

/**
 * What an upgrade in progress remembers (`<state>/upgrade.json`), written before the swap: the
 * next start of the agent reads it to know it is on probation (or that it was rolled back).
 */
const Marker = z.object({
  from_version: z.string(),
  to_version: z.string(),
  executable: z.string(),
  previous: z.string(),
  deadline: z.number(),
  starts: z.number().int().nonnegative(),
  /** A package-managed upgrade: the rollback reinstalls this exact package version. */
  package_previous: z.string().optional(),
});
type Marker = z.infer<typeof Marker>;

export interface SelfUpgradeOptions {
  /** The file that is replaced (the running executable). */
  executable: string;
  stateDir: string;
  server: string;
  currentVersion: string;
  logger: Logger;
  /** Stops the agent (running commands finish, results are sent) and starts the executable again. */
  restart: () => void;
  /** What `<exe> --version` prints; injectable for tests. */
  probeVersion?: (exe: string) => Promise<string>;
  fetch?: typeof fetch;
  now?: () => number;
  probationMs?: number;
  /**
   * Set when the executable belongs to our .deb/.rpm (`PackageUpgrade.owns`): the upgrade then goes
   * through the package manager instead of swapping the file.
   */
  packaged?: PackageUpgrade | null;
}

export class UpgradeError extends Error {}

/** Whether an installed package version (`1.2.3`, `1.2.3-1`) is agent version `v`. */
function isVersionOf(installed: string, v: string): boolean {
  return installed === v || installed.replace(/-[^-]+$/, "") === v;
}

function markerPath(stateDir: string): string {
  return path.join(stateDir, "upgrade.json");
}

async function readMarker(stateDir: string): Promise<Marker | null> {
  let text: string;
  try {
    text = await readFile(markerPath(stateDir), "utf8");
  } catch {
    return null;
  }
  try {
    return Marker.parse(JSON.parse(text));
  } catch {
    return null;
  }
}

async function writeMarker(stateDir: string, marker: Marker): Promise<void> {
  await writeFileDurable(markerPath(stateDir), JSON.stringify(marker), 0o600);
}

function defaultProbe(exe: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(exe, ["--version"], { timeout: 30_000, maxBuffer: 64 * 1024 }, (error, stdout) => {
      if (error) reject(new UpgradeError(`the new executable does not start: ${error.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** Downloads `url` into `file` (created exclusively, mode 0700), hashing on the way; returns the sha256 hex. */
async function download(fetcher: typeof fetch, url: string, file: string): Promise<string> {
  let response: Response;
  try {
    response = await fetcher(url, { redirect: "error", signal: AbortSignal.timeout(15 * 60_000) });
  } catch (error) {
    throw new UpgradeError(`cannot download ${url}: ${(error as Error).message}`);
  }
  if (response.status !== 200 || !response.body) {
    throw new UpgradeError(`cannot download ${url}: HTTP ${response.status}`);
  }
  const hash = createHash("sha256");
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o700);
  let size = 0;
  try {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_EXECUTABLE_BYTES) {
        await reader.cancel();
        throw new UpgradeError("the download is larger than any agent executable");
      }
      hash.update(value);
      await handle.write(value);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

/**
 * The agent's self-upgrade (job kind `self_upgrade`): download, verify, swap with rename(2),
 * restart; and on the next start, probation until the new version connects, else back to the
 * previous executable. The command runner makes sure no other command runs meanwhile.
 */
export class SelfUpgrader {
  private probationTimer: NodeJS.Timeout | undefined;
  private probation: Marker | null = null;

  constructor(private readonly options: SelfUpgradeOptions) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Downloads, verifies and swaps in `args`' version. The caller restarts after reporting. */
  async install(rawArgs: string[]): Promise<SelfUpgradeReport> {
    const parsed = SelfUpgradeArgs.safeParse(rawArgs);
    if (!parsed.success) throw new UpgradeError("invalid self-upgrade arguments");
    const [version, sha256, platform] = parsed.data;
    const expected = `linux-${process.arch === "arm64" ? "arm64" : "x64"}`;
    if (platform !== expected) throw new UpgradeError(`this host is ${expected}, not ${platform}`);
    const from = this.options.currentVersion;
    if (version === from) {
      return { status: "already_current", from_version: from, to_version: version, rollback_deadline: null };
    }
    if (this.options.packaged) return this.installPackage(this.options.packaged, version);
    const exe = this.options.executable;
    const dir = path.dirname(exe);
    try {
      await access(dir, constants.W_OK);
    } catch {
      throw new UpgradeError(
        `${dir} is not writable by the agent (a package-managed install upgrades through the package repository)`,
      );
    }
    const staged = `${exe}.new-${randomBytes(6).toString("hex")}`;
    const previous = `${exe}.previous`;
    try {
      const url = `${endpoint(this.options.server, `/agent/v1/download/${platform}`)}?version=${encodeURIComponent(version)}`;
      const got = await download(this.options.fetch ?? fetch, url, staged);
      if (got !== sha256) throw new UpgradeError(`sha256 mismatch: expected ${sha256}, got ${got}`);
      await chmod(staged, 0o755);
      const reported = await (this.options.probeVersion ?? defaultProbe)(staged);
      if (reported !== version) {
        throw new UpgradeError(`the new executable reports version ${JSON.stringify(reported)}, not ${version}`);
      }
      // The running executable is kept for the way back (a copy: the original inode stays in use).
      await rm(previous, { force: true });
      await copyFile(exe, previous, constants.COPYFILE_EXCL);
      await chmod(previous, 0o755);
      const deadline = this.now + (this.options.probationMs ?? DEFAULT_PROBATION_MS);
      await writeMarker(this.options.stateDir, {
        from_version: from,
        to_version: version,
        executable: exe,
        previous,
        deadline,
        starts: 0,
      });
      await rename(staged, exe);
      await fsyncDir(dir);
      this.options.logger.info("new agent executable in place; restarting", { from, to: version });
      return {
        status: "swapped",
        from_version: from,
        to_version: version,
        rollback_deadline: new Date(deadline).toISOString(),
      };
    } catch (error) {
      await rm(staged, { force: true });
      throw error;
    }
  }

  /**
   * The package-managed path: install `version` with apt/dnf from the configured repository, check
   * that the package and the executable are that version, and go on probation like a swap (the agent
   * restarts into the new executable; without a connection in time the previous package version is
   * reinstalled). A failed install that changed the package is undone at once.
   */
  private async installPackage(pkg: PackageUpgrade, version: string): Promise<SelfUpgradeReport> {
    const from = this.options.currentVersion;
    const previous = await pkg.installedVersion();
    if (!previous) throw new UpgradeError("the fleetgate-agent package is not installed");
    try {
      await pkg.upgradeTo(version);
      const installed = await pkg.installedVersion();
      if (!installed || !isVersionOf(installed, version))
        throw new UpgradeError(`the package manager installed ${installed ?? "nothing"}, not ${version}`);
      const reported = await (this.options.probeVersion ?? defaultProbe)(this.options.executable);
      if (reported !== version)
        throw new UpgradeError(`the new executable reports version ${JSON.stringify(reported)}, not ${version}`);
    } catch (error) {
      if ((await pkg.installedVersion()) !== previous) {
        this.options.logger.error("the package upgrade failed; reinstalling the previous version", { previous });
        await pkg.reinstall(previous);
      }
      if (error instanceof PackageUpgradeError) throw new UpgradeError(error.message);
      throw error;
    }
    const deadline = this.now + (this.options.probationMs ?? DEFAULT_PROBATION_MS);
    await writeMarker(this.options.stateDir, {
      from_version: from,
      to_version: version,
      executable: this.options.executable,
      previous: "",
      deadline,
      starts: 0,
      package_previous: previous,
    });
    this.options.logger.info("new agent package installed; restarting", { from, to: version, manager: pkg.manager });
    return {
      status: "swapped",
      from_version: from,
      to_version: version,
      rollback_deadline: new Date(deadline).toISOString(),
      method: "package",
    };
  }

  /**
   * At start-up: when an upgrade to this version is on probation, count the start and arm the
   * deadline (past it, or after too many starts, the previous executable is restored and the agent
   * restarts); a marker of another version (after a rollback) is cleared. Returns true when the
   * caller must exit so the previous executable is started (the unit's Restart=always).
   */
  async onStart(): Promise<boolean> {
    const marker = await readMarker(this.options.stateDir);
    if (!marker) return false;
    const log = this.options.logger;
    if (marker.to_version !== this.options.currentVersion || marker.executable !== this.options.executable) {
      log.warn("an upgrade did not take; running the previous version", {
        from: marker.from_version,
        to: marker.to_version,
      });
      await rm(markerPath(this.options.stateDir), { force: true });
      return false;
    }
    const next = { ...marker, starts: marker.starts + 1 };
    if (this.now >= marker.deadline || next.starts > MAX_PROBATION_STARTS) {
      await this.rollback(next, "the new version did not connect in time", false);
      return true;
    }
    await writeMarker(this.options.stateDir, next);
    this.probation = next;
    this.probationTimer = setTimeout(
      () => void this.rollback(next, "the new version did not connect in time"),
      Math.max(0, marker.deadline - this.now),
    );
    this.probationTimer.unref?.();
    log.info("new agent version on probation until it connects", {
      from: marker.from_version,
      deadline: new Date(marker.deadline).toISOString(),
    });
    return false;
  }

  /** The server welcomed this version: the upgrade stands, the previous executable is removed. */
  async onConnected(): Promise<void> {
    const marker = this.probation;
    if (!marker) return;
    clearTimeout(this.probationTimer);
    this.probation = null;
    await rm(markerPath(this.options.stateDir), { force: true });
    if (marker.previous) await rm(marker.previous, { force: true });
    this.options.logger.info("agent upgrade confirmed", { from: marker.from_version, to: marker.to_version });
  }

  /** Stops the probation timer (agent stopping). */
  stop(): void {
    clearTimeout(this.probationTimer);
  }

  private async rollback(marker: Marker, reason: string, restart = true): Promise<void> {
    clearTimeout(this.probationTimer);
    this.probation = null;
    this.options.logger.error("rolling back the agent upgrade", {
      reason,
      from: marker.to_version,
      to: marker.from_version,
    });
    try {
      if (marker.package_previous !== undefined) {
        if (!this.options.packaged) throw new UpgradeError("the package manager is not available for the rollback");
        await this.options.packaged.reinstall(marker.package_previous);
      } else {
        await rename(marker.previous, marker.executable);
        await fsyncDir(path.dirname(marker.executable));
      }
    } catch (error) {
      this.options.logger.error("the previous executable could not be restored", { error });
      await rm(markerPath(this.options.stateDir), { force: true });
      return;
    }
    await writeMarker(this.options.stateDir, { ...marker, deadline: 0 });
    if (restart) this.options.restart();
  }
}
