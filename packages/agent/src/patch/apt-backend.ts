import { access, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type {
  ApplyReport,
  InstalledPackage,
  PackageChange,
  PendingUpdate,
  PlanItem,
  RemoveItem,
  RollbackReport,
  VaultEntry,
} from "@fleetgate/contract/agent";
import { changelogCves, DPKG_QUERY_FORMAT, debFileName, parseAptSimulation, parseDpkgQuery } from "./apt-parse";
import { rebootReasons as debianRebootReasons } from "./inventory";
import type { PackageBackend } from "./package-backend";
import { dpkgArgs } from "./package-env";
import type { PackageRunner, RunResult } from "./package-runner";
import { checkRemoveItems, failedReport, type RemovalRun, removalReport } from "./remove-check";
import { checkRollback, planRollback } from "./rollback-selection";
import type { Vault } from "./vault";

const key = (p: { name: string; arch: string }) => `${p.name}:${p.arch}`;
/** How apt names a package: `name:arch`, but plain `name` for Architecture: all. */
const aptName = (p: { name: string; arch: string }) => (p.arch === "all" ? p.name : `${p.name}:${p.arch}`);
/** Changelog fetches per inventory (security updates only). */
const CHANGELOG_LOOKUPS = 25;
const CONFOLD = ["-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"];

/** Before/after per package between two snapshots. */
export function diffSnapshots(before: InstalledPackage[], after: InstalledPackage[]): PackageChange[] {
  const a = new Map(before.map((p) => [key(p), p]));
  const b = new Map(after.map((p) => [key(p), p]));
  const out: PackageChange[] = [];
  for (const [k, p] of b) {
    const old = a.get(k);
    if (!old || old.version !== p.version) {
      out.push({ name: p.name, arch: p.arch, before: old?.version ?? null, after: p.version });
    }
  }
  for (const [k, p] of a) if (!b.has(k)) out.push({ name: p.name, arch: p.arch, before: p.version, after: null });
  return out.sort((x, y) => key(x).localeCompare(key(y)));
}

function describeFailure(r: RunResult): string {
  if (/Could not get lock/.test(r.stderr)) return "dpkg lock busy: another package manager is running";
  if (r.timedOut) return "timed out";
  const last = r.stderr.trim().split("\n").slice(-3).join(" ").slice(0, 1000);
  return `exit ${r.code ?? r.signal}: ${last}`;
}

/** Conffiles dpkg kept because they were modified locally (`--force-confold`); the new version is `*.dpkg-dist`. */
export function keptConffiles(output: string): string[] {
  const kept: string[] = [];
  const re = /Configuration file '([^']+)'[\s\S]*?==> Keeping old config file as default\./g;
  for (const m of output.matchAll(re)) if (m[1]) kept.push(m[1]);
  return kept;
}

/**
 * apt/dpkg operations of the agent (patching.md §7): inventory, pinned apply with a vault of the
 * pre-patch .debs, and exact-version rollback from that vault.
 */
export class AptBackend implements PackageBackend {
  readonly kind = "apt";

  constructor(
    private readonly runner: PackageRunner,
    private readonly vault: Vault,
  ) {}

  private get env() {
    return this.runner.env;
  }
  private lockOpt(): string[] {
    return ["-o", `DPkg::Lock::Timeout=${this.env.lockTimeoutSecs}`];
  }

  /** Installed packages (dpkg-query). */
  async installed(): Promise<InstalledPackage[]> {
    const r = await this.runner.run("dpkg-query", [...dpkgArgs(this.env).slice(0, 2), "-W", `-f=${DPKG_QUERY_FORMAT}`]);
    if (r.code !== 0) throw new Error(`dpkg-query failed: ${describeFailure(r)}`);
    return parseDpkgQuery(r.stdout);
  }

  /** Refreshes the package lists (`apt-get update`). */
  async updateLists(): Promise<void> {
    const r = await this.runner.exclusive(() => this.runner.run("apt-get", ["-q", "update", ...this.lockOpt()]));
    if (r.code !== 0) throw new Error(`apt-get update failed: ${describeFailure(r)}`);
  }

  /** Pending updates from a simulated dist-upgrade: no lock, no change. */
  async pending(): Promise<{ updates: PendingUpdate[]; removals: string[] }> {
    const r = await this.runner.run("apt-get", ["-s", "-o", "Debug::NoLocking=1", "dist-upgrade"]);
    if (r.code !== 0) throw new Error(`apt-get -s dist-upgrade failed: ${describeFailure(r)}`);
    const pending = parseAptSimulation(r.stdout);
    await this.addChangelogCves(pending.updates);
    return pending;
  }

  /**
   * CVE ids of pending security updates from their Debian changelogs (`apt-get changelog`, which
   * fetches from the distribution's changelog server): at most CHANGELOG_LOOKUPS per inventory,
   * each bounded in time; one that cannot be fetched keeps `cve_ids: []` (the server reports such
   * an update as a security update without a named CVE, never as "not vulnerable").
   */
  private async addChangelogCves(updates: PendingUpdate[]): Promise<void> {
    const security = updates.filter((u) => u.security === true && u.cve_ids.length === 0).slice(0, CHANGELOG_LOOKUPS);
    for (const u of security) {
      const r = await this.runner.run("apt-get", ["-q", "changelog", `${aptName(u)}=${u.candidate_version}`], {
        timeoutMs: 15_000,
      });
      if (r.code === 0) u.cve_ids = changelogCves(r.stdout, u.current_version).slice(0, 500);
    }
  }

  /** The transaction apt would run for a pinned plan (what changes besides the plan: new dependencies). */
  async simulatePlan(
    plan: PlanItem[],
  ): Promise<{ updates: PendingUpdate[]; removals: string[]; error: string | null }> {
    const r = await this.runner.run("apt-get", [
      "-s",
      "-o",
      "Debug::NoLocking=1",
      "install",
      "--only-upgrade",
      "--",
      ...pins(plan),
    ]);
    if (r.code !== 0) return { updates: [], removals: [], error: describeFailure(r) };
    return { ...parseAptSimulation(r.stdout), error: null };
  }

  /** Puts the installed version of a package in the vault: download the pinned version, else apt's cache. */
  async vaultOne(p: { name: string; arch: string; version: string }): Promise<VaultEntry | { reason: string }> {
    const fileName = debFileName(p.name, p.version, p.arch);
    const dl = await this.runner.run("apt-get", ["-q", "download", `${aptName(p)}=${p.version}`], {
      cwd: this.vault.incoming,
      timeoutMs: 10 * 60_000,
    });
    if (dl.code === 0) {
      const got = (await readdir(this.vault.incoming)).find((f) => f === fileName) ?? null;
      if (got)
        return this.vault.store(path.join(this.vault.incoming, got), { ...p, origin: "download" }, { move: true });
    }
    const cached = path.join(this.env.aptArchives, fileName);
    if (await exists(cached)) return this.vault.store(cached, { ...p, origin: "cache" }, { move: false });
    const repacked = await this.repack(p);
    if (repacked) return repacked;
    return {
      reason: `no source has ${p.name} ${p.version} (not downloadable, not in apt's cache, dpkg-repack unavailable)`,
    };
  }

  /** Last resort: rebuild the .deb from the installed files (dpkg-repack; embeds locally modified conffiles). */
  private async repack(p: { name: string; arch: string; version: string }): Promise<VaultEntry | null> {
    const args = this.env.root === "/" ? [] : [`--root=${this.env.root}`];
    const r = await this.runner.run("dpkg-repack", [...args, `${p.name}`], { cwd: this.vault.incoming });
    if (r.code !== 0) return null;
    const got = (await readdir(this.vault.incoming)).find((f) => f.startsWith(`${p.name}_`) && f.endsWith(".deb"));
    return got
      ? this.vault.store(path.join(this.vault.incoming, got), { ...p, origin: "repack" }, { move: true })
      : null;
  }

  /**
   * Applies a plan with exact versions (never "latest at the time it runs"): vaults the pre-patch
   * files of everything the transaction changes, installs the pins, records the journal for rollback.
   */
  async apply(jobId: string, plan: PlanItem[]): Promise<ApplyReport> {
    return this.runner.exclusive(async () => {
      await this.vault.init();
      await this.vault.clearIncoming();
      let output = "";
      const before = await this.installed();
      const byKey = new Map(before.map((p) => [key(p), p]));
      const fail = (error: string, extra: Partial<ApplyReport> = {}): ApplyReport => failedReport(error, output, extra);
      for (const item of plan) {
        const cur = byKey.get(key(item));
        if (!cur) return fail(`${item.name}:${item.arch} is not installed`);
        if (item.from_version !== null && cur.version !== item.from_version) {
          return fail(`${item.name} is at ${cur.version}, the plan expected ${item.from_version}`);
        }
      }
      // Pre-flight: finish any interrupted dpkg run first.
      const pre = await this.runner.run("dpkg", [...dpkgArgs(this.env), "--configure", "-a"], { mutating: true });
      output += pre.stdout + pre.stderr;
      const sim = await this.simulatePlan(plan);
      if (sim.error) return fail(`the plan cannot be installed: ${sim.error}`);
      if (sim.removals.length > 0) return fail(`the plan would remove packages: ${sim.removals.join(", ")}`);
      const vault: VaultEntry[] = [];
      const unvaulted: ApplyReport["unvaulted"] = [];
      for (const u of sim.updates) {
        if (u.current_version === null) continue; // a new package: rollback removes it
        const got = await this.vaultOne({ name: u.name, arch: u.arch, version: u.current_version });
        if ("reason" in got) unvaulted.push({ name: u.name, version: u.current_version, reason: got.reason });
        else vault.push(got);
      }
      const run = await this.runner.run(
        "apt-get",
        ["-y", "-q", ...CONFOLD, ...this.lockOpt(), "install", "--only-upgrade", "--", ...pins(plan)],
        { mutating: true },
      );
      output += run.stdout + run.stderr;
      const after = await this.installed();
      const changes = diffSnapshots(before, after);
      // The journal is written even for a failed run: a half-applied patch can still be rolled back.
      await this.vault.writeJournal({ job_id: jobId, created_at: Date.now(), changes, vault });
      const audit = await this.audit();
      const report = {
        changes,
        unvaulted,
        vault,
        kept_conffiles: keptConffiles(output),
        audit_clean: audit,
        reboot_required: await exists(path.join(this.env.fileRoot, "var/run/reboot-required")),
        output,
      };
      if (run.code !== 0) return { ok: false, error: describeFailure(run), ...report };
      if (!audit) return { ok: false, error: "dpkg --audit reports half-installed packages", ...report };
      const wrong = plan.filter((p) => after.find((a) => key(a) === key(p))?.version !== p.to_version);
      if (wrong.length > 0) {
        return { ok: false, error: `not at the planned version: ${wrong.map((w) => w.name).join(", ")}`, ...report };
      }
      return { ok: true, error: null, ...report };
    });
  }

  /** `dpkg --audit` prints nothing on a clean system (its exit code is 0 either way, dpkg 1.21). */
  async audit(): Promise<boolean> {
    const r = await this.runner.run("dpkg", [...dpkgArgs(this.env), "--audit"]);
    return r.code === 0 && r.stdout.trim() === "";
  }

  /**
   * Restores exactly the pre-patch versions recorded for a job: downgrades from the vault (sha256
   * checked first), removes what the patch added, verifies, then holds the restored packages.
   * A package without a usable vault copy is refused with its reason; nothing is ever upgraded.
   */
  async rollback(jobId: string): Promise<RollbackReport> {
    return this.runner.exclusive(async () => {
      let output = "";
      const planned = await planRollback(this.vault, jobId);
      if ("report" in planned) return planned.report;
      const { selection } = planned;
      const { files, refused } = selection;
      const removals = selection.added.map((c) => `${aptName(c)}-`);
      await this.runner.run("dpkg", [...dpkgArgs(this.env), "--configure", "-a"], { mutating: true });
      const run = await this.runner.run(
        "apt-get",
        ["-y", "-q", "--allow-downgrades", ...CONFOLD, ...this.lockOpt(), "install", "--", ...files, ...removals],
        { mutating: true },
      );
      output += run.stdout + run.stderr;
      const { restored, removed, verified } = checkRollback(selection, await this.installed());
      let held: string[] = [];
      if (restored.length > 0) {
        const names = restored.map(aptName);
        const hold = await this.runner.run("apt-mark", ["hold", ...names], { mutating: true });
        output += hold.stdout + hold.stderr;
        if (hold.code === 0) held = restored.map((c) => c.name);
      }
      const error =
        run.code !== 0
          ? describeFailure(run)
          : !verified
            ? "versions after rollback differ from the recorded ones"
            : null;
      return {
        ok: error === null && refused.length === 0,
        error,
        restored,
        removed,
        refused,
        held,
        verified,
        output,
      };
    });
  }

  /**
   * Removes exactly the named packages at the versions the job expects (`apt-get remove`, not
   * purge: their conffiles stay, so a rollback re-installs them as they were). Refused, with
   * nothing changed, when a package is at another version, when removing it would remove other
   * packages (they depend on it) or when one of them cannot be vaulted first.
   */
  async remove(jobId: string, items: RemoveItem[]): Promise<ApplyReport> {
    return this.runner.exclusive(async () => {
      await this.vault.init();
      await this.vault.clearIncoming();
      let output = "";
      const before = await this.installed();
      const fail = (error: string, extra: Partial<ApplyReport> = {}) => failedReport(error, output, extra);
      const problem = checkRemoveItems(items, before);
      if (problem) return fail(problem);
      const targets = items.map(aptName);
      const sim = await this.runner.run("apt-get", ["-s", "-o", "Debug::NoLocking=1", "remove", "--", ...targets]);
      if (sim.code !== 0) return fail(`the removal cannot be done: ${describeFailure(sim)}`);
      const parsed = parseAptSimulation(sim.stdout);
      const named = new Set(items.map((i) => i.name));
      const others = [...new Set(parsed.removals.filter((n) => !named.has(n)))];
      if (others.length > 0) return fail(`removing would also remove ${others.join(", ")} (they depend on it)`);
      if (parsed.updates.length > 0)
        return fail(`removing would install ${parsed.updates.map((u) => u.name).join(", ")}`);
      const vault: VaultEntry[] = [];
      for (const i of items) {
        const got = await this.vaultOne(i);
        if ("reason" in got) {
          return fail(`not removed: ${got.reason}`, {
            unvaulted: [{ name: i.name, version: i.version, reason: got.reason }],
            vault,
          });
        }
        vault.push(got);
      }
      await this.runner.run("dpkg", [...dpkgArgs(this.env), "--configure", "-a"], { mutating: true });
      const run = await this.runner.run("apt-get", ["-y", "-q", ...this.lockOpt(), "remove", "--", ...targets], {
        mutating: true,
      });
      output += run.stdout + run.stderr;
      return this.finishRemove({ jobId, items, before, vault, run, output });
    });
  }

  private finishRemove(r: RemovalRun): Promise<ApplyReport> {
    return removalReport(r, {
      installed: () => this.installed(),
      diff: diffSnapshots,
      writeJournal: (j) => this.vault.writeJournal(j),
      audit: () => this.audit(),
      auditError: "dpkg --audit reports half-installed packages",
      rebootRequired: () => exists(path.join(this.env.fileRoot, "var/run/reboot-required")),
      describeFailure,
    });
  }

  async listsRefreshedAt(): Promise<number | null> {
    const lists = await stat(path.join(this.env.fileRoot, "var/lib/apt/lists")).catch(() => null);
    return lists ? lists.mtimeMs : null;
  }

  rebootReasons(packages: InstalledPackage[], runningKernel: string): Promise<string[]> {
    return debianRebootReasons(this.env, packages, runningKernel);
  }
}

/** `name:arch=version` pins (the arch keeps multi-arch packages apart). */
function pins(plan: PlanItem[]): string[] {
  return plan.map((p) => `${aptName(p)}=${p.to_version}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
