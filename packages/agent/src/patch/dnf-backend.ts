import { mkdir, readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type {
  ApplyReport,
  InstalledPackage,
  PendingUpdate,
  PlanItem,
  RemoveItem,
  RollbackReport,
  VaultEntry,
} from "@fleetgate/contract/agent";
import { diffSnapshots } from "./apt-backend";
import { holdInDnfConf } from "./dnf-hold";
import {
  classifyUpdates,
  nevra,
  parseRepoquery,
  parseRpmQuery,
  parseUpdateinfoList,
  REPOQUERY_FORMAT,
  RPM_QUERY_FORMAT,
  rpmKernelReboot,
} from "./dnf-parse";
import type { PackageBackend } from "./package-backend";
import type { PackageEnv } from "./package-env";
import type { PackageRunner, RunResult } from "./package-runner";
import { checkRemoveItems, failedReport, removalReport } from "./remove-check";
import { checkRollback, planRollback } from "./rollback-selection";
import type { Vault } from "./vault";

const key = (p: { name: string; arch: string }) => `${p.name}:${p.arch}`;
/** The file name of a package in a repository or dnf's cache: `name-version-release.arch.rpm` (no epoch). */
const rpmFileName = (p: { name: string; arch: string; version: string }) =>
  `${p.name}-${p.version.replace(/^\d+:/, "")}.${p.arch}.rpm`;
const NO_AUTOREMOVE = "--setopt=clean_requirements_on_remove=False";
const APPLY_OPTS = ["--setopt=keepcache=1", "--setopt=install_weak_deps=0"];

/** dnf's options for this env: `--installroot` (its config and cache are read inside it) and `--releasever`. */
export function dnfArgs(env: PackageEnv): string[] {
  return [
    ...(env.root === "/" ? [] : [`--installroot=${env.root}`]),
    ...(env.releasever ? [`--releasever=${env.releasever}`] : []),
  ];
}
const rpmArgs = (env: PackageEnv) => (env.root === "/" ? [] : [`--root=${env.root}`]);

function describeFailure(r: RunResult): string {
  if (r.code === 200) return "rpm lock busy: another package manager is running";
  if (r.timedOut) return "timed out";
  const last = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-3).join(" ").slice(0, 1000);
  return `exit ${r.code ?? r.signal}: ${last}`;
}

/** Packages `rpm -e --test` says depend on what is being removed (`x is needed by (installed) y-1-1.noarch`). */
function dependents(stderr: string): string[] {
  const names = [...stderr.matchAll(/needed by \(installed\) (\S+)/g)].map((m) => m[1] ?? "");
  return [...new Set(names.filter((n) => n !== ""))];
}

/**
 * dnf/rpm operations of the agent (patching.md §3, §7), all inside `--installroot` when the env
 * is a sandbox: inventory from rpm and `dnf repoquery`, security and CVE ids from the repositories'
 * updateinfo, pinned apply (NEVRAs) after vaulting the pre-patch rpms (`dnf reinstall
 * --downloadonly` of the installed NEVRA, else dnf's cache), removal, and exact rollback by
 * installing the vault's rpms (downgrades included) — never `dnf history undo`, which needs the old
 * NEVRAs in an enabled repository.
 */
export class DnfBackend implements PackageBackend {
  readonly kind = "dnf";

  constructor(
    private readonly runner: PackageRunner,
    private readonly vault: Vault,
  ) {}

  private get env() {
    return this.runner.env;
  }
  private dnf(args: string[], opts: { mutating?: boolean; cwd?: string; timeoutMs?: number } = {}) {
    return this.runner.run("dnf", ["-y", ...dnfArgs(this.env), ...args], opts);
  }

  async installed(): Promise<InstalledPackage[]> {
    const r = await this.runner.run("rpm", [...rpmArgs(this.env), "-qa", "--qf", RPM_QUERY_FORMAT]);
    if (r.code !== 0) throw new Error(`rpm -qa failed: ${describeFailure(r)}`);
    return parseRpmQuery(r.stdout);
  }

  async updateLists(): Promise<void> {
    const r = await this.runner.exclusive(() => this.dnf(["-q", "makecache", "--refresh"]));
    if (r.code !== 0) throw new Error(`dnf makecache failed: ${describeFailure(r)}`);
  }

  /**
   * Upgrades from `dnf repoquery --upgrades` (newest per package), each classified by updateinfo:
   * security true/false from the advisories that cover it, "unknown" when none does; CVE ids from
   * `updateinfo list --with-cve`. Updateinfo that cannot be read leaves every update "unknown".
   */
  async pending(): Promise<{ updates: PendingUpdate[]; removals: string[] }> {
    const installed = await this.installed();
    const q = await this.dnf(["-q", "repoquery", "--upgrades", "--latest-limit=1", "--qf", REPOQUERY_FORMAT]);
    if (q.code !== 0) throw new Error(`dnf repoquery --upgrades failed: ${describeFailure(q)}`);
    const upgrades = parseRepoquery(q.stdout);
    if (upgrades.length === 0) return { updates: [], removals: [] };
    const info = await this.dnf(["-q", "updateinfo", "list", "--available"]);
    const cves = await this.dnf(["-q", "updateinfo", "list", "--available", "--with-cve"]);
    return {
      updates: classifyUpdates(
        upgrades,
        installed,
        info.code === 0 ? parseUpdateinfoList(info.stdout) : [],
        cves.code === 0 ? parseUpdateinfoList(cves.stdout) : [],
      ),
      removals: [],
    };
  }

  /** The newest repomd.xml in dnf's cache: when the metadata was last downloaded. */
  async listsRefreshedAt(): Promise<number | null> {
    const cache = path.join(this.env.root, "var/cache/dnf");
    const dirs = await readdir(cache).catch(() => [] as string[]);
    let newest: number | null = null;
    for (const d of dirs) {
      const s = await stat(path.join(cache, d, "repodata/repomd.xml")).catch(() => null);
      if (s && (newest === null || s.mtimeMs > newest)) newest = s.mtimeMs;
    }
    return newest;
  }

  /** A newer kernel than the running one, or `needs-restarting -r` (dnf-utils) on the real system. */
  async rebootReasons(packages: InstalledPackage[], runningKernel: string): Promise<string[]> {
    const reasons: string[] = [];
    const kernel = rpmKernelReboot(packages, runningKernel);
    if (kernel) reasons.push(kernel);
    if (this.env.root === "/") {
      const r = await this.runner.run("needs-restarting", ["-r"], { timeoutMs: 60_000 });
      if (r.code === 1) reasons.push("needs-restarting: reboot required");
    }
    return reasons;
  }

  /** Puts the installed version of a package in the vault: download that exact NEVRA, else dnf's cache. */
  async vaultOne(p: { name: string; arch: string; version: string }): Promise<VaultEntry | { reason: string }> {
    const file = rpmFileName(p);
    const dl = await this.dnf(["-q", "reinstall", "--downloadonly", `--destdir=${this.vault.incoming}`, nevra(p)], {
      timeoutMs: 10 * 60_000,
    });
    if (dl.code === 0 && (await readdir(this.vault.incoming)).includes(file)) {
      return this.vault.store(path.join(this.vault.incoming, file), { ...p, origin: "download" }, { move: true });
    }
    const cache = path.join(this.env.root, "var/cache/dnf");
    for (const d of await readdir(cache).catch(() => [] as string[])) {
      const cached = path.join(cache, d, "packages", file);
      if (await stat(cached).catch(() => null)) {
        return this.vault.store(cached, { ...p, origin: "cache" }, { move: false });
      }
    }
    return {
      reason: `no source has ${p.name} ${p.version} (not downloadable, not in dnf's cache; rpm cannot repackage)`,
    };
  }

  /** name:arch of every package the transaction of a plan installs (its rpms downloaded, then read). */
  private async transactionPackages(plan: PlanItem[]): Promise<{ keys: Set<string> } | { error: string }> {
    const dir = path.join(this.vault.incoming, "transaction");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const dl = await this.dnf([
      "-q",
      "upgrade",
      "--downloadonly",
      `--destdir=${dir}`,
      ...APPLY_OPTS,
      "--",
      ...plan.map((p) => nevra({ ...p, version: p.to_version })),
    ]);
    if (dl.code !== 0) return { error: describeFailure(dl) };
    const files = (await readdir(dir)).filter((f) => f.endsWith(".rpm")).map((f) => path.join(dir, f));
    if (files.length === 0) return { keys: new Set() };
    const q = await this.runner.run("rpm", ["-qp", "--qf", "%{NAME}:%{ARCH}\\n", ...files]);
    if (q.code !== 0) return { error: describeFailure(q) };
    return { keys: new Set(q.stdout.split("\n").filter((l) => l !== "")) };
  }

  async apply(jobId: string, plan: PlanItem[]): Promise<ApplyReport> {
    return this.runner.exclusive(async () => {
      await this.vault.init();
      await this.vault.clearIncoming();
      let output = "";
      const before = await this.installed();
      const byKey = new Map(before.map((p) => [key(p), p]));
      const fail = (error: string) => failedReport(error, output);
      for (const item of plan) {
        const cur = byKey.get(key(item));
        if (!cur) return fail(`${item.name}:${item.arch} is not installed`);
        if (item.from_version !== null && cur.version !== item.from_version) {
          return fail(`${item.name} is at ${cur.version}, the plan expected ${item.from_version}`);
        }
      }
      const tx = await this.transactionPackages(plan);
      if ("error" in tx) return fail(`the plan cannot be installed: ${tx.error}`);
      const vault: VaultEntry[] = [];
      const unvaulted: ApplyReport["unvaulted"] = [];
      for (const k of tx.keys) {
        const cur = byKey.get(k);
        if (!cur) continue; // a new package: rollback removes it
        const got = await this.vaultOne(cur);
        if ("reason" in got) unvaulted.push({ name: cur.name, version: cur.version, reason: got.reason });
        else vault.push(got);
      }
      const run = await this.dnf(
        ["upgrade", ...APPLY_OPTS, "--", ...plan.map((p) => nevra({ ...p, version: p.to_version }))],
        { mutating: true },
      );
      output += run.stdout + run.stderr;
      const after = await this.installed();
      const changes = diffSnapshots(before, after);
      await this.vault.writeJournal({ job_id: jobId, created_at: Date.now(), changes, vault });
      const audit = await this.audit();
      const report = {
        changes,
        unvaulted,
        vault,
        kept_conffiles: rpmnewFiles(output),
        audit_clean: audit,
        reboot_required: (await this.rebootReasons(after, os.release())).length > 0,
        output,
      };
      if (run.code !== 0) return { ok: false, error: describeFailure(run), ...report };
      if (!audit) return { ok: false, error: "dnf check reports problems in the rpm database", ...report };
      const wrong = plan.filter((p) => after.find((a) => key(a) === key(p))?.version !== p.to_version);
      if (wrong.length > 0) {
        return { ok: false, error: `not at the planned version: ${wrong.map((w) => w.name).join(", ")}`, ...report };
      }
      return { ok: true, error: null, ...report };
    });
  }

  /**
   * Removes exactly the named packages at the versions the job expects. Refused, with nothing
   * changed, when one is at another version, when other installed packages need it (`rpm -e
   * --test`: dnf would remove them too) or when one cannot be vaulted first.
   */
  async remove(jobId: string, items: RemoveItem[]): Promise<ApplyReport> {
    return this.runner.exclusive(async () => {
      await this.vault.init();
      await this.vault.clearIncoming();
      let output = "";
      const before = await this.installed();
      const problem = checkRemoveItems(items, before);
      if (problem) return failedReport(problem, output);
      const targets = items.map((i) => nevra(i));
      const test = await this.runner.run("rpm", [...rpmArgs(this.env), "-e", "--test", "--", ...targets]);
      if (test.code !== 0) {
        const deps = dependents(test.stderr);
        return failedReport(
          deps.length > 0
            ? `removing would also remove ${deps.join(", ")} (they depend on it)`
            : `the removal cannot be done: ${describeFailure(test)}`,
          output,
        );
      }
      const vault: VaultEntry[] = [];
      for (const i of items) {
        const got = await this.vaultOne(i);
        if ("reason" in got) {
          const unvaulted = [{ name: i.name, version: i.version, reason: got.reason }];
          return failedReport(`not removed: ${got.reason}`, output, { unvaulted, vault });
        }
        vault.push(got);
      }
      const run = await this.dnf(["remove", NO_AUTOREMOVE, "--", ...targets], { mutating: true });
      output += run.stdout + run.stderr;
      return removalReport(
        { jobId, items, before, vault, run, output },
        {
          installed: () => this.installed(),
          diff: diffSnapshots,
          writeJournal: (j) => this.vault.writeJournal(j),
          audit: () => this.audit(),
          auditError: "dnf check reports problems in the rpm database",
          rebootRequired: async () => false,
          describeFailure,
        },
      );
    });
  }

  /** `dnf check` prints nothing when the rpm database has no dependency problems or duplicates. */
  async audit(): Promise<boolean> {
    const r = await this.dnf(["-q", "check"]);
    return r.code === 0 && r.stdout.trim() === "";
  }

  /**
   * Restores exactly the versions a job's journal recorded: the vault's rpms (sha256 checked)
   * installed in one transaction (lower versions become downgrades, removed packages come back),
   * then what the job added is removed; verified against the journal, then held (excludepkgs).
   */
  async rollback(jobId: string): Promise<RollbackReport> {
    return this.runner.exclusive(async () => {
      let output = "";
      const planned = await planRollback(this.vault, jobId);
      if ("report" in planned) return planned.report;
      const { selection } = planned;
      const { files, refused, added } = selection;
      let failed: RunResult | null = null;
      if (files.length > 0) {
        const run = await this.dnf(["install", "--disableexcludes=main", ...APPLY_OPTS, "--", ...files], {
          mutating: true,
        });
        output += run.stdout + run.stderr;
        if (run.code !== 0) failed = run;
      }
      if (added.length > 0 && failed === null) {
        const names = added.map((c) => `${c.name}.${c.arch}`);
        const run = await this.dnf(["remove", "--disableexcludes=main", NO_AUTOREMOVE, "--", ...names], {
          mutating: true,
        });
        output += run.stdout + run.stderr;
        if (run.code !== 0) failed = run;
      }
      const { restored, removed, verified } = checkRollback(selection, await this.installed());
      let held: string[] = [];
      if (restored.length > 0) {
        try {
          await holdInDnfConf(this.env.root, [...new Set(restored.map((c) => c.name))]);
          held = restored.map((c) => c.name);
        } catch (error) {
          output += `holding failed: ${error instanceof Error ? error.message : String(error)}\n`;
        }
      }
      const error =
        failed !== null
          ? describeFailure(failed)
          : !verified
            ? "versions after rollback differ from the recorded ones"
            : null;
      return { ok: error === null && refused.length === 0, error, restored, removed, refused, held, verified, output };
    });
  }
}

/** Config files rpm kept because they were modified locally; the package's version landed as `*.rpmnew`. */
export function rpmnewFiles(output: string): string[] {
  return [...output.matchAll(/warning: (\S+) created as (\S+\.rpmnew)/g)].map((m) => m[1] ?? "").filter((f) => f);
}
