import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { bool, createdAt, id, ms, updatedAt } from "./columns";
import { hosts } from "./fleet";

/**
 * A host's maintenance window (linux-patch-manager.md §4): `start_at` anchors it, its wall-clock
 * time in `time_zone` (IANA, default UTC) repeats once|daily|weekly|monthly; evaluated by
 * @fleetgate/contract/patching (DST and midnight crossing handled).
 */
export const maintenanceWindows = sqliteTable(
  "maintenance_windows",
  {
    id: id(),
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    recurrence: text("recurrence", { enum: ["once", "daily", "weekly", "monthly"] }).notNull(),
    startAt: ms("start_at").notNull(),
    durationMinutes: integer("duration_minutes").notNull().default(60),
    recurrenceDay: integer("recurrence_day"),
    enabled: bool("enabled").notNull().default(true),
    autoApply: bool("auto_apply").notNull().default(true),
    timeZone: text("time_zone").notNull().default("UTC"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("maintenance_windows_host").on(t.hostId)],
);

/**
 * A health check run by the host's agent before and after patching (service state or HTTP).
 * `basic_auth_pass_enc` is AES-256-GCM (data key, AAD = check id) and never returned.
 * At most 5 per host: the trigger in migration 0006 enforces it atomically.
 */
export const healthChecks = sqliteTable(
  "health_checks",
  {
    id: id(),
    hostId: text("host_id")
      .notNull()
      .references(() => hosts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    checkType: text("check_type", { enum: ["service", "http"] }).notNull(),
    enabled: bool("enabled").notNull().default(true),
    serviceName: text("service_name"),
    url: text("url"),
    expectedBody: text("expected_body"),
    ignoreCertErrors: bool("ignore_cert_errors").notNull().default(false),
    basicAuthUser: text("basic_auth_user"),
    basicAuthPassEnc: text("basic_auth_pass_enc"),
    targetHostId: text("target_host_id").references(() => hosts.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("health_checks_host").on(t.hostId)],
);

/** Results of health checks (kept; the latest per check decides the host's health_check_status). */
export const healthCheckResults = sqliteTable(
  "health_check_results",
  {
    id: id(),
    checkId: text("check_id")
      .notNull()
      .references(() => healthChecks.id, { onDelete: "cascade" }),
    hostId: text("host_id").notNull(),
    healthy: bool("healthy").notNull(),
    detail: text("detail").notNull().default(""),
    latencyMs: integer("latency_ms").notNull().default(0),
    /** Why it ran: pre/post patch gate, test, schedule. */
    phase: text("phase").notNull().default("test"),
    jobId: text("job_id"),
    checkedAt: ms("checked_at").notNull(),
  },
  (t) => [index("health_check_results_check").on(t.checkId, t.checkedAt)],
);
