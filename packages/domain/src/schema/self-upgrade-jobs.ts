import { primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
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
