import type { ApplyReport, InstalledPackage, PackageChange, RemoveItem, VaultEntry } from "@fleetgate/contract/agent";
import type { RunResult } from "./package-runner";
import type { Journal } from "./vault";

/** Why a removal must not start (a package not installed, or at another version than the job expects); null: fine. */
export function checkRemoveItems(items: RemoveItem[], installed: InstalledPackage[]): string | null {
  const by = new Map(installed.map((p) => [`${p.name}:${p.arch}`, p]));
  for (const i of items) {
    const cur = by.get(`${i.name}:${i.arch}`);
    if (!cur) return `${i.name}:${i.arch} is not installed`;
    if (cur.version !== i.version) return `${i.name} is at ${cur.version}, the job expected ${i.version}`;
  }
  return null;
}

/** The report of a patch run that changed nothing (refused before the package tool ran, or it failed). */
export function failedReport(error: string, output: string, extra: Partial<ApplyReport> = {}): ApplyReport {
  return {
    ok: false,
    error,
    changes: [],
    unvaulted: [],
    vault: [],
    kept_conffiles: [],
    audit_clean: false,
    reboot_required: false,
    output,
    ...extra,
  };
}

/** What a backend's removal did: the packages it was asked to remove, the snapshot before, its vault and run. */
export interface RemovalRun {
  jobId: string;
  items: RemoveItem[];
  before: InstalledPackage[];
  vault: VaultEntry[];
  run: RunResult;
  output: string;
}

/** The backend's own view after a removal, for `removalReport`. */
export interface RemovalTools {
  installed(): Promise<InstalledPackage[]>;
  diff(before: InstalledPackage[], after: InstalledPackage[]): PackageChange[];
  writeJournal(journal: Journal): Promise<void>;
  audit(): Promise<boolean>;
  /** What the audit failing means on this backend. */
  auditError: string;
  rebootRequired(): Promise<boolean>;
  describeFailure(run: RunResult): string;
}

/**
 * Ends a removal on any backend: journals what changed (so a rollback re-installs it from the
 * vault), audits the package database, and reports success only when the tool succeeded, the
 * audit is clean and none of the packages is still installed.
 */
export async function removalReport(r: RemovalRun, t: RemovalTools): Promise<ApplyReport> {
  const after = await t.installed();
  const changes = t.diff(r.before, after);
  await t.writeJournal({ job_id: r.jobId, created_at: Date.now(), changes, vault: r.vault });
  const audit = await t.audit();
  const report = {
    changes,
    unvaulted: [],
    vault: r.vault,
    kept_conffiles: [],
    audit_clean: audit,
    reboot_required: await t.rebootRequired(),
    output: r.output,
  };
  if (r.run.code !== 0) return { ok: false, error: t.describeFailure(r.run), ...report };
  if (!audit) return { ok: false, error: t.auditError, ...report };
  const key = (p: { name: string; arch: string }) => `${p.name}:${p.arch}`;
  const left = r.items.filter((i) => after.some((a) => key(a) === key(i)));
  if (left.length > 0) return { ok: false, error: `still installed: ${left.map((l) => l.name).join(", ")}`, ...report };
  return { ok: true, error: null, ...report };
}
