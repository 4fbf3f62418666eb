import type { Schemas } from "@fleetgate/sdk";
import type { Column } from "../output";

/** Table/CSV columns of the patch-management resources (json/ndjson print the API's own objects). */
export const windowColumns: Column<Schemas["MaintenanceWindow"]>[] = [
  { header: "id", value: (w) => w.id },
  { header: "host", value: (w) => w.host_id },
  { header: "label", value: (w) => w.label },
  {
    header: "recurrence",
    value: (w) => (w.recurrence_day === null ? w.recurrence : `${w.recurrence}/${w.recurrence_day}`),
  },
  { header: "time zone", value: (w) => w.time_zone },
  { header: "minutes", value: (w) => w.duration_minutes },
  { header: "next start", value: (w) => w.next_start_at },
  { header: "enabled", value: (w) => (w.enabled ? "yes" : "no") },
  { header: "auto apply", value: (w) => (w.auto_apply ? "yes" : "no") },
];

export const checkColumns: Column<Schemas["HealthCheck"]>[] = [
  { header: "id", value: (c) => c.id },
  { header: "host", value: (c) => c.host_id },
  { header: "name", value: (c) => c.name },
  { header: "type", value: (c) => c.check_type },
  { header: "target", value: (c) => (c.check_type === "service" ? c.service_name : c.url) },
  { header: "enabled", value: (c) => (c.enabled ? "yes" : "no") },
];

/** One pending update of one host (the plan rows of `patch plan`). */
export interface PlanRow {
  host: string;
  update: Schemas["HostUpdate"];
}

export const planColumns: Column<PlanRow>[] = [
  { header: "host", value: (r) => r.host },
  { header: "package", value: (r) => r.update.name },
  { header: "arch", value: (r) => r.update.arch },
  { header: "installed", value: (r) => r.update.installed_version ?? "(new)" },
  { header: "candidate", value: (r) => r.update.candidate_version },
  { header: "security", value: (r) => String(r.update.security) },
  { header: "cves", value: (r) => r.update.cve_ids.join(" ") },
];
