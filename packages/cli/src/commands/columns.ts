import type {
  ApiToken,
  AuditEntry,
  Certificate,
  HostSummary,
  JobHostRow,
  JobSummary,
  PendingEnrollment,
  Task,
  TokenIssuer,
  User,
} from "@fleetgate/sdk";
import type { Column } from "../output";

/** Table/CSV columns per resource (json/ndjson print the API's own objects). */
export const hostColumns: Column<HostSummary>[] = [
  { header: "id", value: (h) => h.id },
  { header: "name", value: (h) => h.name },
  { header: "fqdn", value: (h) => h.fqdn },
  { header: "os", value: (h) => h.os_name || h.os_family },
  { header: "online", value: (h) => (h.online ? "yes" : "no") },
  { header: "health", value: (h) => h.health_status },
  { header: "agent", value: (h) => h.agent_version },
  { header: "last seen", value: (h) => h.last_seen_at },
];

export const jobColumns: Column<JobSummary>[] = [
  { header: "id", value: (j) => j.id },
  { header: "kind", value: (j) => j.kind },
  { header: "script", value: (j) => j.script },
  { header: "status", value: (j) => j.status },
  { header: "hosts", value: (j) => j.host_count },
  { header: "ok", value: (j) => j.succeeded_count },
  { header: "failed", value: (j) => j.failed_count },
  { header: "created", value: (j) => j.created_at },
];

export const jobHostColumns: Column<JobHostRow>[] = [
  { header: "host", value: (h) => h.host_name },
  { header: "status", value: (h) => h.status },
  { header: "exit", value: (h) => h.exit_code },
  { header: "error", value: (h) => h.error_message },
  { header: "completed", value: (h) => h.completed_at },
];

export const taskColumns: Column<Task>[] = [
  { header: "id", value: (t) => t.id },
  { header: "name", value: (t) => t.name },
  { header: "status", value: (t) => t.status },
  { header: "created", value: (t) => t.created_at },
  { header: "finished", value: (t) => t.finished_at },
];

export const certColumns: Column<Certificate>[] = [
  { header: "id", value: (c) => c.id },
  { header: "serial", value: (c) => c.serial_number },
  { header: "common name", value: (c) => c.common_name },
  { header: "status", value: (c) => c.status },
  { header: "expires", value: (c) => c.expires_at },
];

export const pendingColumns: Column<PendingEnrollment>[] = [
  { header: "id", value: (p) => p.id },
  { header: "fqdn", value: (p) => p.fqdn },
  { header: "hostname", value: (p) => p.hostname },
  { header: "ip", value: (p) => p.ip_address },
  { header: "csr", value: (p) => (p.has_csr ? "yes" : "no") },
  { header: "expires", value: (p) => p.expires_at },
];

export const auditColumns: Column<AuditEntry>[] = [
  { header: "seq", value: (a) => a.seq },
  { header: "at", value: (a) => a.at },
  { header: "actor", value: (a) => a.actor_name ?? a.actor_id },
  { header: "action", value: (a) => a.action },
  { header: "target", value: (a) => (a.target_type ? `${a.target_type}:${a.target_id ?? ""}` : "") },
  { header: "outcome", value: (a) => a.outcome },
];

export const userColumns: Column<User>[] = [
  { header: "id", value: (u) => u.id },
  { header: "username", value: (u) => u.username },
  { header: "role", value: (u) => u.role },
  { header: "mfa", value: (u) => (u.mfa_enabled ? "yes" : "no") },
  { header: "active", value: (u) => (u.is_active ? "yes" : "no") },
  { header: "last login", value: (u) => u.last_login_at },
];

export const tokenColumns: Column<ApiToken>[] = [
  { header: "id", value: (t) => t.id },
  { header: "name", value: (t) => t.name },
  { header: "expires", value: (t) => t.expires_at },
  { header: "last used", value: (t) => t.last_used_at },
  { header: "created", value: (t) => t.created_at },
];

export const issuerColumns: Column<TokenIssuer>[] = [
  { header: "id", value: (i) => i.id },
  { header: "name", value: (i) => i.name },
  { header: "issuer", value: (i) => i.issuer_uri },
  { header: "audience", value: (i) => i.audience },
  { header: "max validity", value: (i) => i.max_validity },
];
