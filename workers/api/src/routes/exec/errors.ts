import { DomainError, type DomainErrorTable, renderDomainError } from "@fleetgate/domain";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../context";
import { logDomainRefusal, logUnhandled } from "../../lib/domain-refusal";
import { toCommonError } from "../../lib/http-errors";
import { requestTarget } from "../../lib/request-target";

/** A ctrl-exec error body: `{"ok":false,"error":…,"detail"?,"code"?,"conflicts"?}` (ctrl-exec.md §3). */
export class ExecError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly error: string,
    readonly body: { detail?: string; code?: number; conflicts?: string[] } = {},
  ) {
    super(error);
    this.name = "ExecError";
  }
}

export const badRequest = (detail: string) => new ExecError(400, "bad request", { detail });

const badCredentials = () => new ExecError(403, "bad credentials", { code: 2 });
const asBadRequest = (err: DomainError) => badRequest(err.message);
const asNotFound = (err: DomainError) => new ExecError(404, "not found", { detail: err.message });

/** How the ctrl-exec face renders every domain error (ctrl-exec.md §3); the compiler checks every code. */
const EXEC_DOMAIN_ERRORS = {
  "auth.invalid_credentials": badCredentials,
  "auth.mfa_required": badCredentials,
  "auth.account_disabled": badCredentials,
  "auth.password_reset_required": badCredentials,
  "auth.account_locked": badCredentials,
  "auth.invalid_refresh_token": badCredentials,
  "auth.unauthorized": badCredentials,
  "auth.issuer_unavailable": badCredentials,
  "auth.forbidden": () => new ExecError(403, "denied", { code: 1 }),
  "auth.invalid_password": asBadRequest,
  "auth.weak_password": asBadRequest,
  "mfa.invalid_code": asBadRequest,
  "mfa.code_refused": asBadRequest,
  "mfa.not_enrolled": asBadRequest,
  "mfa.already_enrolled": asBadRequest,
  "mfa.not_started": asNotFound,
  "identity.cannot_delete_self": asBadRequest,
  "pki.csr_refused": (err) => badRequest(`Invalid CSR: ${err.details.reason}`),
  "pki.client_cert_invalid": asBadRequest,
  "pki.enrollment_token_invalid": asBadRequest,
  "pki.enrollment_expired": asBadRequest,
  "pki.enrollment_method_invalid": asBadRequest,
  "pki.already_enrolled": asBadRequest,
  "pki.enrollment_request_not_found": asNotFound,
  "fleet.host_collision": (err) => new ExecError(409, "conflict", { detail: err.message }),
  "fleet.unknown_hosts": (err) =>
    new ExecError(404, "unknown agent", { detail: `not a registered agent: ${err.details.hosts.join(", ")}` }),
  "fleet.no_hosts_match": (err) => new ExecError(404, "unknown agent", { detail: err.message }),
  "fleet.fqdn_resolution_failed": asBadRequest,
  "discovery.invalid_cidr": asBadRequest,
  // The lock: `{"ok":false,"error":"locked","code":4,"conflicts":["host:script"]}` (ctrl-exec.md §3).
  "jobs.script_locked": (err) =>
    new ExecError(409, "locked", { code: 4, conflicts: err.details.hosts.map((h) => `${h}:${err.details.script}`) }),
  "jobs.invalid_state": (err) => new ExecError(409, "conflict", { detail: err.message }),
  "tasks.result_not_found": asNotFound,
  "pki.session_certificate_limit": asBadRequest,
  "health.check_limit": asBadRequest,
  "health.invalid_check_type": asBadRequest,
  "ziti.no_edge_routers": asBadRequest,
  "ziti.invalid_posture": (err) => new ExecError(409, "conflict", { detail: err.message }),
  "ziti.ca_already_verified": (err) => new ExecError(409, "conflict", { detail: err.message }),
  "ziti.ca_verification_failed": asBadRequest,
  "ziti.cert_failed_validation": asBadRequest,
  "ziti.cert_in_use": (err) => new ExecError(409, "conflict", { detail: err.message }),
  "ziti.enrollment_no_valid_cas": asBadRequest,
  "ziti.enrollment_ca_not_valid": asBadRequest,
  "common.not_found": asNotFound,
  "common.conflict": (err) => new ExecError(409, "conflict", { detail: err.message }),
  "common.rate_limited": () => new ExecError(429, "too many requests"),
  "common.validation": asBadRequest,
} satisfies DomainErrorTable<ExecError>;

export function renderExec(c: Context<AppEnv>, err: unknown): Response {
  if (err instanceof DomainError) {
    logDomainRefusal(c, "exec", err);
    if (err.is("common.rate_limited")) c.header("Retry-After", String(err.details.retryAfter));
    const e = renderDomainError(EXEC_DOMAIN_ERRORS, err);
    return c.json({ ok: false, error: e.error, ...e.body }, e.status);
  }
  if (err instanceof ExecError) return c.json({ ok: false, error: err.error, ...err.body }, err.status);
  const common = toCommonError(err);
  if (common) {
    switch (common.kind) {
      case "not_found":
      case "method_not_allowed":
        return c.json(
          { ok: false, error: "not found", detail: `no route for ${c.req.method} ${requestTarget(c.req.raw)}` },
          404,
        );
      case "payload_too_large":
        return c.json({ ok: false, error: "payload too large", detail: "body exceeds 1048576 bytes" }, 413);
      case "malformed_json":
      case "unsupported_media_type":
        return c.json({ ok: false, error: "bad request", detail: "invalid JSON body" }, 400);
      case "validation":
        return c.json({ ok: false, error: "bad request", detail: common.message }, 400);
      case "unauthorized":
        return c.json({ ok: false, error: "bad credentials", code: 2 }, 403);
      case "forbidden":
        return c.json({ ok: false, error: "denied", code: 1 }, 403);
      case "rate_limited":
        return c.json({ ok: false, error: "too many requests" }, 429);
      case "internal":
        break;
    }
  }
  logUnhandled(c, "exec", err);
  return c.json({ ok: false, error: "server error", detail: "internal error" }, 500);
}
