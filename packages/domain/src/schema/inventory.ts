import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bool, json, ms } from "./columns";
import { hosts } from "./fleet";

/** OS facts an agent reports with its inventory (contract `OsFacts`). */
export interface HostOsFacts {
  id: string;
  id_like: string[];
  family: "debian" | "rhel" | "unknown";
  version_id: string;
  codename: string;
  pretty_name: string;
  kernel: string;
  arch: string;
}

/**
 * A host's package state as its agent last reported it (docs/patching.md, "Inventory"):
 * `inventory_hash` is the SHA-256 of the installed set (`packageSetHash`); the agent's next
 * report is a diff against it. One row per host that ever reported.
 */
export const hostPatchState = sqliteTable("host_patch_state", {
  hostId: text("host_id")
    .primaryKey()
    .references(() => hosts.id, { onDelete: "cascade" }),
  inventoryHash: text("inventory_hash").notNull(),
  os: json<HostOsFacts>("os").notNull(),
  packageCount: integer("package_count").notNull().default(0),
  updateCount: integer("update_count").notNull().default(0),
  securityUpdateCount: integer("security_update_count").notNull().default(0),
  rebootRequired: bool("reboot_required").notNull().default(false),
  rebootReasons: json<string[]>("reboot_reasons").notNull().default([]),
  /** Packages the simulated upgrade of everything would remove. */
  removals: json<string[]>("removals").notNull().default([]),
  listsAgeSecs: integer("lists_age_secs"),
  /** When the agent collected it (agent clock) and when the server stored it. */
  collectedAt: ms("collected_at").notNull(),
  reportedAt: ms("reported_at").notNull(),
});

/** Installed packages of a host (dpkg/rpm name, arch, version, source package and version, status). */
export const hostPackages = sqliteTable(
  "host_packages",
  {
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    arch: text("arch").notNull(),
    version: text("version").notNull(),
    source: text("source").notNull(),
    sourceVersion: text("source_version").notNull(),
    status: text("status").notNull(),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.name, t.arch] }), index("host_packages_name").on(t.name)],
);

/**
 * Pending updates of a host from the agent's simulated upgrade. `security`: "true" | "false" |
 * "unknown" (the repository has no advisory data). `current_version` null: a new dependency.
 */
export const hostUpdates = sqliteTable(
  "host_updates",
  {
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    arch: text("arch").notNull(),
    currentVersion: text("current_version"),
    candidateVersion: text("candidate_version").notNull(),
    /** Source package of the installed binary package (null for a package not installed yet). */
    source: text("source"),
    security: text("security", { enum: ["true", "false", "unknown"] }).notNull(),
    cveIds: json<string[]>("cve_ids").notNull().default([]),
    origins: json<string[]>("origins").notNull().default([]),
    /**
     * When a report first listed this package (name + arch) as pending; kept across reports while it
     * stays pending (docs/reports.md "Compliance"). 0: pending before first-seen was tracked.
     */
    firstSeenAt: ms("first_seen_at").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.hostId, t.name, t.arch] }),
    index("host_updates_security").on(t.hostId, t.security),
    index("host_updates_name").on(t.name),
  ],
);
