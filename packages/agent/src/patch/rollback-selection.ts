import type { InstalledPackage, PackageChange, RollbackReport } from "@fleetgate/contract/agent";
import type { Journal, Vault } from "./vault";

const key = (p: { name: string; arch: string }) => `${p.name}:${p.arch}`;

/** What a rollback of a journal does, whatever the backend. */
export interface RollbackSelection {
  /** Vault files (sha256 checked) that restore `restoring`. */
  files: string[];
  /** Changes whose `before` version is restored from those files (downgrades and re-installs). */
  restoring: PackageChange[];
  /** Packages the job added: removed again. */
  added: PackageChange[];
  /** Packages that cannot be restored, each with its reason. */
  refused: RollbackReport["refused"];
}

/**
 * Splits a job's journal into vault files to install, packages to remove and refusals: a
 * package without a vault copy of its recorded version, or whose copy fails its sha256 check
 * (the package tools do not verify local files), is refused, never upgraded instead.
 */
export async function selectRollback(journal: Journal, vault: Vault): Promise<RollbackSelection> {
  const out: RollbackSelection = { files: [], restoring: [], added: [], refused: [] };
  for (const c of journal.changes) {
    if (c.before === null) {
      out.added.push(c);
      continue;
    }
    const entry = journal.vault.find((v) => v.name === c.name && v.arch === c.arch && v.version === c.before);
    if (!entry) {
      out.refused.push({ name: c.name, reason: `no vault copy of ${c.name} ${c.before}` });
      continue;
    }
    if (!(await vault.verify(entry))) {
      out.refused.push({ name: c.name, reason: `vault copy of ${c.name} ${c.before} fails its sha256 check` });
      continue;
    }
    out.files.push(entry.file);
    out.restoring.push(c);
  }
  return out;
}

/** The parts of a rollback's report with nothing restored, removed or held yet. */
export const emptyRollback = (): Pick<RollbackReport, "restored" | "removed" | "refused" | "held" | "verified"> => ({
  restored: [],
  removed: [],
  refused: [],
  held: [],
  verified: false,
});

/**
 * The start of a rollback on any backend: the job's journal split by `selectRollback`, or, when
 * there is no journal or nothing to restore or remove, the report that ends the rollback at once.
 */
export async function planRollback(
  vault: Vault,
  jobId: string,
): Promise<{ report: RollbackReport } | { selection: RollbackSelection }> {
  const journal = await vault.readJournal(jobId);
  if (!journal) {
    return {
      report: { ok: false, error: "no patch journal for this job on the host", ...emptyRollback(), output: "" },
    };
  }
  const selection = await selectRollback(journal, vault);
  const { files, added, refused } = selection;
  if (files.length === 0 && added.length === 0) {
    return {
      report: {
        ok: refused.length === 0,
        error: refused.length ? "nothing restorable" : null,
        ...emptyRollback(),
        refused,
        output: "",
      },
    };
  }
  return { selection };
}

/** Which restores and removals the installed set now shows (status must be `ii`, i.e. fully installed). */
export function checkRollback(
  selection: RollbackSelection,
  now: InstalledPackage[],
): { restored: PackageChange[]; removed: string[]; verified: boolean } {
  const nowBy = new Map(now.map((p) => [key(p), p]));
  const restored = selection.restoring.filter((c) => {
    const p = nowBy.get(key(c));
    return p?.version === c.before && p.status === "ii";
  });
  const removed = selection.added.filter((c) => !nowBy.has(key(c))).map((c) => c.name);
  return {
    restored,
    removed,
    verified: restored.length === selection.restoring.length && removed.length === selection.added.length,
  };
}
