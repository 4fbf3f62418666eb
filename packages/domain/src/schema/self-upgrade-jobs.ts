import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { json } from "./columns";
import { jobs } from "./fleet";

/**
 * Each host's arguments of a `self_upgrade` job, fixed when the job is created
 * ([version, sha256 of that host's executable, `linux-<arch>`]), so that a replayed start sends the same ones.
 */
export const selfUpgradeJobHosts = sqliteTable(
  "self_upgrade_job_hosts",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    hostId: text("host_id").notNull(),
    args: json<string[]>("args").notNull().default([]),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.hostId] })],
);

/**
 * The schedule of a `self_upgrade` job bound to a maintenance window (a row only for such jobs):
 * pending until `not_before` (ms), no host starts after `last_start_at`; a lost start is replayed with them.
 */
export const selfUpgradeJobSchedules = sqliteTable("self_upgrade_job_schedules", {
  jobId: text("job_id")
    .primaryKey()
    .references(() => jobs.id, { onDelete: "cascade" }),
  maintenanceWindowId: text("maintenance_window_id").notNull(),
  notBefore: integer("not_before").notNull(),
  lastStartAt: integer("last_start_at").notNull(),
});
