import type { DomainError, DomainErrorTable } from "@fleetgate/domain";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** How the native face answers a domain error: its `{"error":{…}}` body, or a bare status/body where the reference says so. */
export type NativeRendering =
  | { status: ContentfulStatusCode; code: string; message: string; details: unknown; headers?: Record<string, string> }
  | { status: ContentfulStatusCode; body: unknown | null };

/** Status and wire code; the message is the error's public message. */
const as =
  (status: ContentfulStatusCode, code: string) =>
  (err: DomainError): NativeRendering => ({ status, code, message: err.message, details: null });

/** How the native face renders each domain error (linux-patch-manager.md §2–§3); the compiler checks every code is here. */
export const NATIVE_DOMAIN_ERRORS = {
  "auth.invalid_credentials": as(401, "invalid_credentials"),
  "auth.mfa_required": as(401, "mfa_required"),
  "auth.account_disabled": as(403, "account_disabled"),
  "auth.password_reset_required": as(403, "password_reset_required"),
  "auth.account_locked": as(423, "account_locked"),
  "auth.invalid_refresh_token": as(401, "invalid_refresh_token"),
  "auth.weak_password": as(400, "weak_password"),
  "auth.invalid_password": as(400, "invalid_password"),
  "auth.unauthorized": as(401, "unauthorized"),
  "auth.forbidden": as(403, "forbidden"),
  "auth.issuer_unavailable": as(503, "issuer_unavailable"),
  "mfa.invalid_code": as(400, "invalid_code"),
  "mfa.code_refused": as(400, "invalid_code"),
  "mfa.not_enrolled": as(400, "mfa_not_enrolled"),
  "mfa.already_enrolled": as(409, "conflict"),
  "mfa.not_started": as(404, "not_found"),
  "identity.cannot_delete_self": as(400, "bad_request"),
  "pki.csr_refused": (err) => ({
    status: 400,
    code: "bad_request",
    message: `Invalid CSR: ${err.details.reason}`,
    details: null,
  }),
  "pki.client_cert_invalid": as(400, "validation_error"),
  "pki.enrollment_token_invalid": as(400, "bad_request"),
  "pki.enrollment_expired": as(400, "bad_request"),
  "pki.enrollment_method_invalid": as(400, "bad_request"),
  "pki.already_enrolled": as(409, "conflict"),
  // Approve/deny answer bare status codes, as the reference does (linux-patch-manager.md §5).
  "pki.enrollment_request_not_found": () => ({ status: 404, body: null }),
  "fleet.host_collision": (err) => {
    const h = err.details.existing;
    return {
      status: 409,
      body: {
        error: "Host collision detected",
        conflict: {
          existing_host: { id: h.id, fqdn: h.fqdn, ip_address: h.ipAddress, display_name: h.displayName },
          message: "FQDN or IP already exists",
        },
      },
    };
  },
  "fleet.unknown_hosts": (err) => ({
    status: 400,
    code: "bad_request",
    message: `Unknown hosts: ${err.details.hosts.join(", ")}`,
    details: { unknown: err.details.hosts },
  }),
  "fleet.no_hosts_match": as(422, "no_hosts"),
  "jobs.script_locked": (err) => ({
    status: 409,
    code: "conflict",
    message: `Script ${err.details.script} is already running on: ${err.details.hosts.join(", ")}`,
    details: { conflicts: err.details.hosts.map((h) => `${h}:${err.details.script}`) },
  }),
  "jobs.invalid_state": (err) => ({
    status: 409,
    code: "invalid_state",
    message: `Cannot cancel a job in '${err.details.status}' state; only queued or pending jobs may be cancelled`,
    details: null,
  }),
  "tasks.result_not_found": as(404, "not_found"),
  "pki.session_certificate_limit": as(400, "limit_exceeded"),
  "health.check_limit": as(400, "limit_exceeded"),
  "health.invalid_check_type": as(400, "invalid_check_type"),
  "ziti.no_edge_routers": as(400, "bad_request"),
  "ziti.invalid_posture": as(409, "conflict"),
  "ziti.ca_already_verified": as(409, "conflict"),
  "ziti.ca_verification_failed": as(400, "validation_error"),
  "ziti.cert_failed_validation": as(400, "bad_request"),
  "ziti.cert_in_use": as(409, "conflict"),
  "ziti.enrollment_no_valid_cas": as(400, "bad_request"),
  "ziti.enrollment_ca_not_valid": as(400, "bad_request"),
  "common.not_found": as(404, "not_found"),
  "common.conflict": as(409, "conflict"),
  "common.rate_limited": (err) => ({
    status: 429,
    code: "rate_limited",
    message: err.message,
    details: null,
    // tower_governor's 429 carries the wait twice (linux-patch-manager.md §2).
    headers: { "Retry-After": String(err.details.retryAfter), "X-RateLimit-After": String(err.details.retryAfter) },
  }),
  "common.validation": as(400, "validation_error"),
  "fleet.fqdn_resolution_failed": as(400, "fqdn_resolution_failed"),
  "discovery.invalid_cidr": as(400, "bad_request"),
} satisfies DomainErrorTable<NativeRendering>;
