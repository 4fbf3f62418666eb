import type { DomainErrorCode } from "@fleetgate/domain";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** How the native face renders each domain error: status and wire code (linux-patch-manager.md §2–§3). */
export const NATIVE_DOMAIN_ERRORS: Record<DomainErrorCode, [ContentfulStatusCode, string]> = {
  invalid_credentials: [401, "invalid_credentials"],
  mfa_required: [401, "mfa_required"],
  account_disabled: [403, "account_disabled"],
  password_reset_required: [403, "password_reset_required"],
  account_locked: [423, "account_locked"],
  invalid_refresh_token: [401, "invalid_refresh_token"],
  weak_password: [400, "weak_password"],
  invalid_code: [400, "invalid_code"],
  invalid_password: [400, "invalid_password"],
  mfa_not_enrolled: [400, "mfa_not_enrolled"],
  mfa_already_enrolled: [409, "conflict"],
  mfa_not_started: [404, "not_found"],
  not_found: [404, "not_found"],
  conflict: [409, "conflict"],
  cannot_delete_self: [400, "bad_request"],
  unauthorized: [401, "unauthorized"],
  forbidden: [403, "forbidden"],
  rate_limited: [429, "rate_limited"],
  validation: [400, "validation_error"],
};
