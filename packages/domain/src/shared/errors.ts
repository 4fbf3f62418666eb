import type { CsrError } from "@fleetgate/pki";

/**
 * The domain error registry: every refusal the domain can raise, by namespaced
 * code, with its default public message. Services throw `DomainError`; each
 * face maps every code to its own status and wire body in one exhaustive table
 * (`satisfies DomainErrorTable<…>`), so adding a code here fails the build
 * until every face says how to render it. Messages are safe to show to clients
 * (they never say which credential check failed); anything else goes in
 * `reason`, which is logged with the request id and never sent.
 */
export const DOMAIN_ERRORS = {
  "auth.invalid_credentials": "Invalid username or password",
  "auth.mfa_required": "MFA code required",
  "auth.account_disabled": "Account is disabled",
  "auth.password_reset_required": "Password reset required",
  "auth.account_locked": "Account is locked due to too many failed login attempts",
  "auth.invalid_refresh_token": "Refresh token is invalid or expired",
  "auth.weak_password": "Password does not meet the policy",
  "auth.invalid_password": "Current password is incorrect",
  "auth.unauthorized": "Unauthorized",
  "auth.forbidden": "Access denied",
  /** A token issuer's discovery document or JWKS could not be fetched or is unusable. */
  "auth.issuer_unavailable": "The token issuer is unavailable",
  /** A TOTP code given while enrolling MFA does not verify. */
  "mfa.invalid_code": "Invalid TOTP code",
  /** The MFA code demanded for a sensitive action (Ziti `mfa-validation-code`) is missing or wrong. */
  "mfa.code_refused": "Invalid TOTP code",
  "mfa.not_enrolled": "MFA is not enrolled",
  "mfa.already_enrolled": "The identity is already enrolled in MFA",
  "mfa.not_started": "MFA enrollment has not been started",
  "identity.cannot_delete_self": "Cannot delete your own account",
  "pki.csr_refused": "The CSR was refused",
  "pki.client_cert_invalid": "The client certificate is not valid",
  "pki.enrollment_token_invalid": "The enrollment token is not valid",
  "pki.enrollment_expired": "The enrollment has expired",
  "pki.enrollment_method_invalid": "The enrollment method requested is invalid",
  "pki.already_enrolled": "The enrollment has already been completed",
  "pki.enrollment_request_not_found": "Enrollment request not found",
  "pki.session_certificate_limit": "An API session can have at most 8 active certificates",
  "fleet.host_collision": "Host collision detected",
  "fleet.unknown_hosts": "Unknown hosts",
  "fleet.no_hosts_match": "No hosts match the filter",
  /** A host registered by name whose FQDN does not resolve (DNS-over-HTTPS). */
  "fleet.fqdn_resolution_failed": "The FQDN could not be resolved",
  "jobs.script_locked": "The script is already running on some of the hosts",
  "jobs.invalid_state": "The job cannot be changed in its current state",
  "tasks.result_not_found": "No finished task with this id",
  /** A host already has the maximum number of health checks (linux-patch-manager.md §4: 5). */
  "health.check_limit": "A host can have at most 5 health checks",
  "health.invalid_check_type": "check_type must be 'service' or 'http'",
  /** POST /sessions: no online edge router carries the service for this identity. */
  "ziti.no_edge_routers": "No edge routers are assigned and online to handle the requested connection",
  /** POST /sessions: no policy granting the access passes its posture checks. */
  "ziti.invalid_posture": "Failed to pass posture checks for service policies",
  /** Third-party CAs (OpenZiti apierror codes of the same names). */
  "ziti.ca_already_verified": "CA has already been verified",
  "ziti.ca_verification_failed": "The supplied certificate failed to validate against the CA's certificate chain",
  "ziti.cert_failed_validation": "certificate failed to validate against CA",
  "ziti.cert_in_use": "The certificate supplied is already associated with another identity",
  "ziti.enrollment_no_valid_cas": "No CAs are valid for this request",
  "ziti.enrollment_ca_not_valid": "The CA tied to the supplied token is no longer valid",
  /** POST /discovery/cidr: malformed, wider than a /22, or outside the allowlisted discovery CIDRs. */
  "discovery.invalid_cidr": "Invalid CIDR range",
  "common.not_found": "Resource not found",
  "common.conflict": "Resource already exists",
  "common.rate_limited": "Too many requests",
  "common.validation": "Invalid request",
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERRORS;

/** Structured details that some codes carry (safe for the wire; faces decide what to show). */
export interface DomainErrorDetailMap {
  "pki.csr_refused": { reason: CsrError };
  "fleet.host_collision": { existing: { id: string; fqdn: string; ipAddress: string | null; displayName: string } };
  /** `hosts`: the locked hosts as the caller named them (may be empty when a concurrent job won the race). */
  "jobs.script_locked": { script: string; hosts: string[] };
  /** `by`: whether the caller named the hosts by registry name or by id. */
  "fleet.unknown_hosts": { hosts: string[]; by: "name" | "id" };
  "jobs.invalid_state": { status: string };
  "common.rate_limited": { retryAfter: number };
  "ziti.invalid_posture": { serviceId: string; failing: { id: string; queryType: string }[] };
}

export type DomainErrorDetails<C extends DomainErrorCode> = C extends keyof DomainErrorDetailMap
  ? DomainErrorDetailMap[C]
  : undefined;

interface ErrorOptions {
  /** Replaces the registry's public message (still shown to clients). */
  message?: string;
  /** Internal reason: logged with the request id by the face, never sent. */
  reason?: string;
}

type DomainErrorArgs<C extends DomainErrorCode> = C extends keyof DomainErrorDetailMap
  ? [options: ErrorOptions & { details: DomainErrorDetailMap[C] }]
  : [options?: (ErrorOptions & { details?: undefined }) | string];

/** The one error the domain throws; `code` names the refusal, `details` its typed data. */
export class DomainError<C extends DomainErrorCode = DomainErrorCode> extends Error {
  readonly code: C;
  readonly details: DomainErrorDetails<C>;
  readonly reason: string | undefined;

  /** `new DomainError(code)`, `new DomainError(code, "public message")` or `new DomainError(code, { details, reason, message })`. */
  constructor(code: C, ...[options]: DomainErrorArgs<C>) {
    const opts: ErrorOptions & { details?: unknown } =
      typeof options === "string" ? { message: options } : (options ?? {});
    super(opts.message ?? DOMAIN_ERRORS[code]);
    this.name = "DomainError";
    this.code = code;
    this.details = opts.details as DomainErrorDetails<C>;
    this.reason = opts.reason;
  }

  /** True when this error has code `code` (narrows `details`). */
  is<K extends DomainErrorCode>(code: K): this is DomainError<K> {
    return (this.code as DomainErrorCode) === code;
  }
}

/** A face's rendering of every domain error code: `{ [code]: (err) => its wire answer }`. */
export type DomainErrorTable<R> = { [C in DomainErrorCode]: (err: DomainError<C>) => R };

/** Renders `err` with a face's exhaustive table. */
export function renderDomainError<R>(table: DomainErrorTable<R>, err: DomainError): R {
  // The table is indexed by the error's own code, so the entry accepts exactly this error.
  const entry = table[err.code] as (e: DomainError) => R;
  return entry(err);
}
