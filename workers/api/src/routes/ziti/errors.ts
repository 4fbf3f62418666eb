import { DomainError, type DomainErrorTable, renderDomainError } from "@fleetgate/domain";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../context";
import { logDomainRefusal, logUnhandled } from "../../lib/domain-refusal";
import { type CommonErrorKind, statusOf, toCommonError } from "../../lib/http-errors";
import { zitiValidationCause } from "./validation-cause";

/** `meta` of every Ziti error envelope (ziti-edge-client.md §3). */
export const ZITI_ERROR_META = { apiEnrollmentVersion: "0.0.1", apiVersion: "0.0.1" } as const;

/** A Ziti API error: code, HTTP status and message from the controller's registry. */
export class ZitiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly cause_: Record<string, unknown> | null = null,
    readonly causeMessage = "",
    readonly data: Record<string, unknown> | undefined = undefined,
  ) {
    super(message);
    this.name = "ZitiError";
  }
}

/** Error registry (apierror/messages.go); messages as the controller sends them. */
export const Z = {
  unauthorized: () =>
    new ZitiError(
      401,
      "UNAUTHORIZED",
      "The request could not be completed. The session is not authorized or the credentials are invalid",
    ),
  /** The IP allowlist refused the client address. */
  forbidden: () => new ZitiError(403, "FORBIDDEN", "Access to this resource is forbidden"),
  invalidAuth: () => new ZitiError(401, "INVALID_AUTH", "The authentication request failed"),
  notFound: () => new ZitiError(404, "NOT_FOUND", "The resource requested was not found or is no longer available"),
  couldNotValidate: (cause: Record<string, unknown> | null, causeMessage = "") =>
    new ZitiError(400, "COULD_NOT_VALIDATE", "The supplied request contains an invalid document", cause, causeMessage),
  invalidPagination: (causeMessage = "") =>
    new ZitiError(400, "INVALID_PAGINATION", "The pagination properties provided are invalid", null, causeMessage),
  rateLimited: () =>
    new ZitiError(
      429,
      "RATE_LIMITED",
      "The resource is rate limited and the rate limit has been exceeded. Please try again later",
      null,
      "you have hit a rate limit in the requested operation",
    ),
  invalidAuthMethod: () => new ZitiError(400, "INVALID_AUTH_METHOD", "The supplied authentication method is not valid"),
  invalidFilter: (causeMessage = "") =>
    new ZitiError(400, "INVALID_FILTER", "The filter query supplied is invalid", null, causeMessage),
  /** MFA_INVALID_TOKEN is 400 in the controller's registry; routes whose spec answers 401 pass 401. */
  mfaInvalidToken: (status: 400 | 401 = 400) =>
    new ZitiError(status, "MFA_INVALID_TOKEN", "An invalid token/code was provided"),
  mfaNotEnrolled: () => new ZitiError(409, "MFA_NOT_ENROLLED", "The current identity is not enrolled in MFA"),
  mfaAlreadyEnrolled: () => new ZitiError(409, "ALREADY_MFA_ENROLLED", "The identity is already enrolled in MFA"),
  mfaEnrollmentNotStarted: () =>
    new ZitiError(404, "MFA_ENROLLMENT_NOT_STARTED", "MFA enrollment has not been started"),
  cannotUpdateAuthenticator: (causeMessage = "") =>
    new ZitiError(
      409,
      "CAN_NOT_UPDATE_AUTHENTICATOR",
      "The authenticator cannot be updated in this fashion",
      null,
      causeMessage,
    ),
  invalidField: (field: string, reason: string) =>
    new ZitiError(400, "INVALID_FIELD", "The field contains an invalid value", { field, reason, value: null }, reason),
  cannotDelete: () =>
    new ZitiError(400, "ENTITY_CAN_NOT_BE_DELETED", "The entity requested for delete can not be deleted"),
};

/** Enrollment refusals in the Ziti registry's codes (ziti-edge-client.md §3 "Enrollment"). */
export const ZitiEnroll = {
  invalidToken: () => new ZitiError(400, "INVALID_ENROLLMENT_TOKEN", "The supplied token is not valid"),
  expired: () => new ZitiError(400, "ENROLLMENT_EXPIRED", "The enrollment has expired"),
  wrongMethod: () => new ZitiError(400, "INVALID_ENROLL_METHOD", "The enrollment method requested is invalid"),
  alreadyEnrolled: () =>
    new ZitiError(410, "INVALID_ENROLLMENT_ALREADY_ENROLLED", "The enrollment has already been completed"),
  missingCsr: () => new ZitiError(400, "MISSING_OR_INVALID_CSR", "The supplied CSR is missing or invalid"),
  unprocessableCsr: () => new ZitiError(400, "COULD_NOT_PROCESS_CSR", "The supplied CSR could not be processed"),
};

/**
 * How each domain error reads on this face; the compiler checks every code is
 * here. Credential failures all collapse to INVALID_AUTH so a client never
 * learns which check failed (locked, disabled, reset pending or wrong password).
 */
const DOMAIN = {
  "auth.invalid_credentials": Z.invalidAuth,
  "auth.mfa_required": Z.invalidAuth,
  "auth.account_disabled": Z.invalidAuth,
  "auth.password_reset_required": Z.invalidAuth,
  "auth.account_locked": Z.invalidAuth,
  "auth.invalid_refresh_token": Z.unauthorized,
  "auth.weak_password": (e) => Z.couldNotValidate({ field: "password", reason: e.message, value: null }, e.message),
  // A refused proof of the current password is an unauthorised update, not a failed sign-in.
  "auth.invalid_password": Z.unauthorized,
  "auth.unauthorized": Z.unauthorized,
  "auth.forbidden": Z.unauthorized,
  "auth.issuer_unavailable": Z.invalidAuth,
  "mfa.invalid_code": () => Z.mfaInvalidToken(400),
  // The spec answers 401 where a sensitive action's `mfa-validation-code` is refused.
  "mfa.code_refused": () => Z.mfaInvalidToken(401),
  "mfa.not_enrolled": Z.mfaNotEnrolled,
  "mfa.already_enrolled": Z.mfaAlreadyEnrolled,
  "mfa.not_started": Z.mfaEnrollmentNotStarted,
  "identity.cannot_delete_self": Z.cannotDelete,
  "pki.csr_refused": (e) =>
    e.details.reason === "malformed" ? ZitiEnroll.missingCsr() : ZitiEnroll.unprocessableCsr(),
  "pki.client_cert_invalid": (e) =>
    new ZitiError(
      400,
      "INVALID_CLIENT_CERT",
      "The client certificate is not valid",
      { field: "clientCert", reason: e.message, value: null },
      e.message,
    ),
  "pki.enrollment_token_invalid": ZitiEnroll.invalidToken,
  "pki.enrollment_expired": ZitiEnroll.expired,
  "pki.enrollment_method_invalid": ZitiEnroll.wrongMethod,
  "pki.already_enrolled": ZitiEnroll.alreadyEnrolled,
  "pki.enrollment_request_not_found": Z.notFound,
  "fleet.host_collision": (e) => Z.invalidField("(root)", e.message),
  "fleet.unknown_hosts": Z.notFound,
  "fleet.no_hosts_match": Z.notFound,
  "fleet.fqdn_resolution_failed": (e) => Z.invalidField("fqdn", e.message),
  "discovery.invalid_cidr": (e) => Z.invalidField("cidr", e.message),
  "jobs.script_locked": (e) => Z.invalidField("(root)", e.message),
  "jobs.invalid_state": (e) => Z.invalidField("(root)", e.message),
  "tasks.result_not_found": Z.notFound,
  "pki.session_certificate_limit": (e) => Z.couldNotValidate(null, e.message),
  "health.check_limit": (e) => Z.couldNotValidate(null, e.message),
  "health.invalid_check_type": (e) => Z.couldNotValidate(null, e.message),
  "ziti.no_edge_routers": (e) => new ZitiError(400, "NO_EDGE_ROUTERS_AVAILABLE", e.message),
  // The failing posture queries travel in `data`, as the controller's INVALID_POSTURE does.
  "ziti.invalid_posture": (e) =>
    new ZitiError(409, "INVALID_POSTURE", e.message, null, "", {
      failedPolicies: [{ serviceId: e.details.serviceId, postureQueries: e.details.failing }],
    }),
  "ziti.ca_already_verified": (e) => new ZitiError(409, "CA_ALREADY_VERIFIED", e.message),
  "ziti.ca_verification_failed": (e) => new ZitiError(400, "CERTIFICATE_FAILED_VALIDATION", e.message),
  "ziti.cert_failed_validation": (e) => new ZitiError(400, "CERT_FAILED_VALIDATION", e.message),
  "ziti.cert_in_use": (e) => new ZitiError(409, "CERT_IN_USE", e.message),
  "ziti.enrollment_no_valid_cas": (e) => new ZitiError(400, "ENROLLMENT_NO_VALID_CAS", e.message),
  "ziti.enrollment_ca_not_valid": (e) => new ZitiError(400, "ENROLLMENT_CA_NOT_VALID", e.message),
  "common.not_found": Z.notFound,
  "common.conflict": (e) => Z.invalidField("(root)", e.message),
  "common.rate_limited": Z.rateLimited,
  "common.validation": (e) => Z.couldNotValidate(null, e.message),
} satisfies DomainErrorTable<ZitiError>;

const COMMON: Record<CommonErrorKind, [string, string]> = {
  not_found: ["NOT_FOUND", "The resource requested was not found or is no longer available"],
  method_not_allowed: ["METHOD_NOT_ALLOWED", "The resource requested does not support this method"],
  malformed_json: ["COULD_NOT_PARSE_BODY", "The body of the request could not be parsed"],
  unsupported_media_type: ["UNSUPPORTED_MEDIA", "The content type of the request is not supported"],
  payload_too_large: ["REQUEST_ENTITY_TOO_LARGE", "The request body is too large"],
  validation: ["COULD_NOT_VALIDATE", "The supplied request contains an invalid document"],
  unauthorized: [
    "UNAUTHORIZED",
    "The request could not be completed. The session is not authorized or the credentials are invalid",
  ],
  forbidden: [
    "UNAUTHORIZED",
    "The request could not be completed. The session is not authorized or the credentials are invalid",
  ],
  rate_limited: [
    "RATE_LIMITED",
    "The resource is rate limited and the rate limit has been exceeded. Please try again later",
  ],
  internal: ["UNHANDLED", "An unhandled error occurred"],
};

/** The matched route's path variables (none when no route matched). */
function urlVarsOf(c: Context<AppEnv>): Record<string, string> {
  try {
    return { ...c.req.param() };
  } catch {
    return {};
  }
}

function envelope(
  c: Context<AppEnv>,
  code: string,
  message: string,
  cause: unknown,
  causeMessage: string,
  data?: Record<string, unknown>,
) {
  return {
    error: {
      args: { urlVars: urlVarsOf(c) },
      cause,
      causeMessage,
      code,
      ...(data ? { data } : {}),
      message,
      requestId: c.get("requestId") ?? "",
    },
    meta: ZITI_ERROR_META,
  };
}

export function renderZiti(c: Context<AppEnv>, err: unknown): Response {
  if (err instanceof DomainError) {
    logDomainRefusal(c, "ziti", err);
    if (err.is("common.rate_limited")) c.header("Retry-After", String(err.details.retryAfter));
    const z = renderDomainError(DOMAIN, err);
    return c.json(envelope(c, z.code, z.message, z.cause_, z.causeMessage, z.data), z.status);
  }
  if (err instanceof ZitiError) {
    return c.json(envelope(c, err.code, err.message, err.cause_, err.causeMessage, err.data), err.status);
  }
  const common = toCommonError(err);
  if (common) {
    const [code, message] = COMMON[common.kind];
    const first = common.extra.issues?.[0];
    const zod = common.extra.zod;
    const cause =
      common.kind !== "validation"
        ? null
        : zod
          ? zitiValidationCause(zod.issues, zod.input)
          : first
            ? { field: first.path || "(root)", reason: first.message, value: null }
            : null;
    if (common.extra.retryAfter !== undefined) c.header("Retry-After", String(common.extra.retryAfter));
    const status = common.kind === "forbidden" ? 401 : statusOf[common.kind];
    return c.json(envelope(c, code, message, cause, common.kind === "validation" ? common.message : ""), status);
  }
  logUnhandled(c, "ziti", err);
  return c.json(envelope(c, "UNHANDLED", "An unhandled error occurred", null, ""), 500);
}
