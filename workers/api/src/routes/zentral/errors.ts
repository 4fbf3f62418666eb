import { DomainError, type DomainErrorTable, renderDomainError } from "@fleetgate/domain";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../context";
import { logDomainRefusal, logUnhandled } from "../../lib/domain-refusal";
import { toCommonError } from "../../lib/http-errors";

/** A DRF-style error: `{"detail": …}` or a field → messages map (zentral.md §2). */
export class DrfError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.detail === "string" ? body.detail : "validation error");
    this.name = "DrfError";
  }
}

export const notAuthenticated = () =>
  new DrfError(401, { detail: "Authentication credentials were not provided." }, { "WWW-Authenticate": "Token" });

interface DrfRendering {
  status: ContentfulStatusCode;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

const detail =
  (status: ContentfulStatusCode, text?: string, headers: Record<string, string> = {}) =>
  (err: DomainError): DrfRendering => ({ status, body: { detail: text ?? err.message }, headers });
const nonField = (err: DomainError): DrfRendering => ({
  status: 400,
  body: { non_field_errors: [err.message] },
  headers: {},
});
/** DRF `AuthenticationFailed` (401 with the scheme in WWW-Authenticate). */
const authFailed = detail(401, "Incorrect authentication credentials.", { "WWW-Authenticate": "Token" });
const denied = detail(403, "You do not have permission to perform this action.");
const notFound = detail(404, "Not found.");

/** How the Zentral face renders every domain error in DRF's shapes (zentral.md §2); the compiler checks every code. */
const ZENTRAL_DOMAIN_ERRORS = {
  "auth.invalid_credentials": authFailed,
  "auth.mfa_required": authFailed,
  "auth.account_disabled": authFailed,
  "auth.password_reset_required": authFailed,
  "auth.account_locked": authFailed,
  "auth.invalid_refresh_token": authFailed,
  "auth.unauthorized": authFailed,
  "auth.issuer_unavailable": authFailed,
  "auth.invalid_password": nonField,
  "auth.weak_password": nonField,
  "auth.forbidden": denied,
  "mfa.invalid_code": nonField,
  "mfa.code_refused": nonField,
  "mfa.not_enrolled": nonField,
  "mfa.already_enrolled": nonField,
  "mfa.not_started": notFound,
  "identity.cannot_delete_self": nonField,
  "pki.csr_refused": (err) => ({ status: 400, body: { csr: [`Invalid CSR: ${err.details.reason}`] }, headers: {} }),
  "pki.client_cert_invalid": nonField,
  "pki.enrollment_token_invalid": nonField,
  "pki.enrollment_expired": nonField,
  "pki.enrollment_method_invalid": nonField,
  "pki.already_enrolled": nonField,
  "pki.enrollment_request_not_found": notFound,
  "fleet.host_collision": detail(409),
  "fleet.fqdn_resolution_failed": nonField,
  "discovery.invalid_cidr": nonField,
  "jobs.script_locked": detail(409),
  "fleet.unknown_hosts": (err) => ({
    status: 400,
    body: { hosts: [`Unknown hosts: ${err.details.hosts.join(", ")}`] },
    headers: {},
  }),
  "fleet.no_hosts_match": nonField,
  "jobs.invalid_state": detail(409),
  "tasks.result_not_found": detail(404, "No TaskResult matches the given query."),
  "pki.session_certificate_limit": nonField,
  "health.check_limit": nonField,
  "health.invalid_check_type": nonField,
  "ziti.no_edge_routers": nonField,
  "ziti.invalid_posture": detail(409),
  "ziti.ca_already_verified": detail(409),
  "ziti.ca_verification_failed": nonField,
  "ziti.cert_failed_validation": nonField,
  "ziti.cert_in_use": detail(409),
  "ziti.enrollment_no_valid_cas": nonField,
  "ziti.enrollment_ca_not_valid": nonField,
  "common.not_found": notFound,
  "common.conflict": nonField,
  // DRF `Throttled`: "Request was throttled. Expected available in N second(s)."
  "common.rate_limited": (err) => {
    const wait = err.details.retryAfter;
    return {
      status: 429,
      body: { detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? "" : "s"}.` },
      headers: { "Retry-After": String(wait) },
    };
  },
  "common.validation": nonField,
} satisfies DomainErrorTable<DrfRendering>;

export function renderZentral(c: Context<AppEnv>, err: unknown): Response {
  if (err instanceof DrfError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(err.body, err.status);
  }
  if (err instanceof DomainError) {
    logDomainRefusal(c, "zentral", err);
    const r = renderDomainError(ZENTRAL_DOMAIN_ERRORS, err);
    for (const [k, v] of Object.entries(r.headers)) c.header(k, v);
    return c.json(r.body, r.status);
  }
  const common = toCommonError(err);
  if (common) {
    switch (common.kind) {
      case "not_found":
        return c.json({ detail: "Not found." }, 404);
      case "method_not_allowed":
        return c.json({ detail: `Method "${c.req.method}" not allowed.` }, 405);
      case "malformed_json":
        return c.json({ detail: "JSON parse error - Expecting value: line 1 column 1 (char 0)" }, 400);
      case "unsupported_media_type":
        return c.json({ detail: `Unsupported media type "${c.req.header("content-type") ?? ""}" in request.` }, 415);
      case "payload_too_large":
        return c.json({ detail: "Request body exceeds 1048576 bytes." }, 413);
      case "validation": {
        const out: Record<string, string[]> = {};
        for (const i of common.extra.issues ?? [{ path: "", message: common.message, code: "" }]) {
          const key = i.path || "non_field_errors";
          const list = out[key] ?? [];
          list.push(i.message);
          out[key] = list;
        }
        return c.json(out, 400);
      }
      case "unauthorized":
        c.header("WWW-Authenticate", "Token");
        return c.json({ detail: common.message || "Authentication credentials were not provided." }, 401);
      case "forbidden":
        return c.json({ detail: "You do not have permission to perform this action." }, 403);
      case "rate_limited":
        if (common.extra.retryAfter !== undefined) c.header("Retry-After", String(common.extra.retryAfter));
        return c.json(
          { detail: `Request was throttled. Expected available in ${common.extra.retryAfter ?? 60} seconds.` },
          429,
        );
      case "internal":
        break;
    }
  }
  logUnhandled(c, "zentral", err);
  return c.json({ detail: "A server error occurred." }, 500);
}
