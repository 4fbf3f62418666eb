import type { ApplyReport, InstalledPackage, RemoveItem } from "@fleetgate/contract/agent";

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
