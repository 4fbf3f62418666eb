import { primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bool, json } from "./columns";
import { jobs } from "./fleet";

/**
 * One package of a host's patch plan: install exactly `to_version` (contract `PlanItem`); for a
 * `patch_remove` job, remove `from_version` (`to_version` null).
 */
export interface PatchPlanItem {
  name: string;
  arch: string;
  from_version: string | null;
  to_version: string | null;
}

/**
 * What a patch job (kind `patch_apply`, `patch_remove` or `rollback`) was asked to do, beside its `jobs` row:
 * the reference's `patch_selection` (`packages`, [] = all pending) and our extensions.
 */
export const patchJobs = sqliteTable("patch_jobs", {
  jobId: text("job_id")
    .primaryKey()
    .references(() => jobs.id, { onDelete: "cascade" }),
  immediate: bool("immediate").notNull().default(true),
  maintenanceWindowId: text("maintenance_window_id"),
  allowReboot: bool("allow_reboot").notNull().default(false),
  securityOnly: bool("security_only").notNull().default(false),
  packages: json<string[]>("packages").notNull().default([]),
  parentJobId: text("parent_job_id"),
});

/** The plan of each host of a patch job, fixed when the job is created (exact versions). */
export const patchJobHosts = sqliteTable(
  "patch_job_hosts",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    hostId: text("host_id").notNull(),
    plan: json<PatchPlanItem[]>("plan").notNull().default([]),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.hostId] })],
);
