import type {
  ApplyReport,
  InstalledPackage,
  PendingUpdate,
  PlanItem,
  RemoveItem,
  RollbackReport,
} from "@fleetgate/contract/agent";

/**
 * What the agent's patch code needs from a package manager (docs/patching.md, "Backends"):
 * apt/dpkg (`AptBackend`) or dnf/rpm (`DnfBackend`), chosen from os-release. Every mutation
 * vaults the pre-change package files first and writes a journal, so `rollback` restores
 * exactly the recorded versions, whatever the backend.
 */
export interface PackageBackend {
  readonly kind: "apt" | "dnf";
  /** Installed packages (one per name and architecture). */
  installed(): Promise<InstalledPackage[]>;
  /** Refreshes the repository metadata (apt-get update / dnf makecache). */
  updateLists(): Promise<void>;
  /** Pending updates from the metadata the host has, without changing anything. */
  pending(): Promise<{ updates: PendingUpdate[]; removals: string[] }>;
  /** When the repository metadata was last refreshed (epoch ms); null when unknown. */
  listsRefreshedAt(): Promise<number | null>;
  /** Why the host needs a reboot (none: []). */
  rebootReasons(packages: InstalledPackage[], runningKernel: string): Promise<string[]>;
  /** Installs exactly the plan's versions (vault first). */
  apply(jobId: string, plan: PlanItem[]): Promise<ApplyReport>;
  /** Removes exactly the named packages (vault first; refused when it would remove others). */
  remove(jobId: string, items: RemoveItem[]): Promise<ApplyReport>;
  /** Restores the versions a job's journal recorded, from the vault. */
  rollback(jobId: string): Promise<RollbackReport>;
  /** The package database is consistent (dpkg --audit / dnf check). */
  audit(): Promise<boolean>;
}
