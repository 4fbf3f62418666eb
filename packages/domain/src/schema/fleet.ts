import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { bool, createdAt, id, json, ms, updatedAt } from "./columns";
import { groups, identities } from "./identity";

/** An enrolled Linux host. `name` is its registry name (ctrl-exec addresses hosts by it). */
export const hosts = sqliteTable(
  "hosts",
  {
    id: id(),
    identityId: text("identity_id").references(() => identities.id, { onDelete: "set null" }),
    name: text("name").notNull().unique(),
    fqdn: text("fqdn").notNull(),
    ipAddress: text("ip_address").notNull().default(""),
    displayName: text("display_name").notNull().default(""),
    machineId: text("machine_id"),
    osFamily: text("os_family").notNull().default(""),
    osName: text("os_name").notNull().default(""),
    arch: text("arch").notNull().default(""),
    agentVersion: text("agent_version").notNull().default(""),
    reportedHostname: text("reported_hostname"),
    /** Labels the host's agent reports (`hello.tags`): facts about itself, never used to select job targets. */
    tags: json<Record<string, string>>("tags").notNull().default({}),
    /** Tags an admin assigned (`PUT /hosts/{id}/tags`); job and discovery targeting by tag reads only these. */
    adminTags: json<Record<string, string>>("admin_tags").notNull().default({}),
    healthStatus: text("health_status", { enum: ["pending", "healthy", "degraded", "unreachable"] })
      .notNull()
      .default("pending"),
    online: bool("online").notNull().default(false),
    lastSeenAt: ms("last_seen_at"),
    notes: text("notes").notNull().default(""),
    agentPort: integer("agent_port").notNull().default(12443),
    patchesMissing: integer("patches_missing").notNull().default(0),
    registeredAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("hosts_fqdn").on(t.fqdn)],
);

export const hostGroups = sqliteTable(
  "host_groups",
  {
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    groupId: text("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.groupId] }), index("host_groups_group").on(t.groupId)],
);

/** Scripts a host's own agent configuration allowlists, as last reported by the agent. */
export const hostScripts = sqliteTable(
  "host_scripts",
  {
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    path: text("path").notNull(),
    description: text("description").notNull().default(""),
    executable: bool("executable").notNull(),
    sha256: text("sha256").notNull().default(""),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.name] })],
);

/** A job (script run, ping, patch…). `reqid` is its ctrl-exec id: one job, two names. */
export const jobs = sqliteTable(
  "jobs",
  {
    id: id(),
    reqid: text("reqid").notNull().unique(),
    kind: text("kind").notNull(),
    script: text("script"),
    args: json<string[]>("args").notNull().default([]),
    mode: text("mode", { enum: ["sync", "async"] })
      .notNull()
      .default("async"),
    status: text("status", { enum: ["queued", "pending", "running", "succeeded", "failed", "cancelled"] }).notNull(),
    options: json<Record<string, unknown>>("options").notNull().default({}),
    notes: text("notes").notNull().default(""),
    createdBy: text("created_by"),
    idempotencyKey: text("idempotency_key"),
    hostCount: integer("host_count").notNull().default(0),
    succeededCount: integer("succeeded_count").notNull().default(0),
    failedCount: integer("failed_count").notNull().default(0),
    createdAt: createdAt(),
    startedAt: ms("started_at"),
    completedAt: ms("completed_at"),
  },
  (t) => [index("jobs_created").on(t.createdAt), uniqueIndex("jobs_idempotency").on(t.createdBy, t.idempotencyKey)],
);

/** One row per target host of a job. Output past a size threshold lives in R2 (`outputKey`). */
export const jobHosts = sqliteTable(
  "job_hosts",
  {
    id: id(),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    hostId: text("host_id").notNull(),
    hostName: text("host_name").notNull(),
    status: text("status").notNull(),
    exitCode: integer("exit_code"),
    stdout: text("stdout").notNull().default(""),
    stderr: text("stderr").notNull().default(""),
    outputKey: text("output_key"),
    error: text("error"),
    commandId: text("command_id"),
    startedAt: ms("started_at"),
    completedAt: ms("completed_at"),
  },
  (t) => [index("job_hosts_job").on(t.jobId), index("job_hosts_host").on(t.hostId)],
);
