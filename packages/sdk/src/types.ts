import type { components, paths } from "./gen/v1";

export type { components, paths };
/** Every schema of the native API by name (`Schemas["HostSummary"]`). */
export type Schemas = components["schemas"];
export type HostSummary = Schemas["HostSummary"];
export type HostDetail = Schemas["HostDetail"];
export type HostList = Schemas["HostList"];
export type HostScript = Schemas["HostScript"];
export type JobSummary = Schemas["JobSummary"];
export type JobDetail = Schemas["JobDetail"];
export type JobHostRow = Schemas["JobHostRow"];
export type CreateJobRequest = Schemas["CreateJobRequest"];
export type CreateScriptJobRequest = Schemas["CreateScriptJobRequest"];
export type CreatePatchJobRequest = Schemas["CreatePatchJobRequest"];
export type Task = Schemas["Task"];
/** Body of `POST /exports`: a data export or a report (`kind: "report:<type>"`). */
export type ExportRequest = Schemas["ExportOrReportRequest"];
export type User = Schemas["User"];
export type LoginUser = Schemas["LoginUser"];
export type ApiToken = Schemas["ApiToken"];
export type ApiTokenWithSecret = Schemas["ApiTokenWithSecret"];
export type AuditEntry = Schemas["AuditEntry"];
export type Certificate = Schemas["Certificate"];
export type Enrollment = Schemas["Enrollment"];
export type PendingEnrollment = Schemas["PendingEnrollment"];
export type TokenIssuer = Schemas["TokenIssuer"];
export type ExplainReport = Schemas["ExplainReport"];

/** Query of `GET /hosts` (the list's own filters, sorting and pagination). */
export type HostFilter = NonNullable<paths["/hosts"]["get"]["parameters"]["query"]>;
/** Query of `GET /audit`. */
export type AuditQuery = NonNullable<paths["/audit"]["get"]["parameters"]["query"]>;
/** Query of `GET /certificates`. */
export type CertificateQuery = NonNullable<paths["/certificates"]["get"]["parameters"]["query"]>;

/** Host states a job row ends in. */
export const TERMINAL_HOST_STATUSES: ReadonlySet<string> = new Set([
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "offline_expired",
]);
/** Job states that are final. */
export const TERMINAL_JOB_STATUSES: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);
