/**
 * Domain error registry. Services throw DomainError with one of these codes;
 * each face maps a code to its own status and wire shape. Messages here are
 * safe to show to clients (they never say which credential check failed).
 */
export const DOMAIN_ERRORS = {
  invalid_credentials: "Invalid username or password",
  mfa_required: "MFA code required",
  account_disabled: "Account is disabled",
  password_reset_required: "Password reset required",
  account_locked: "Account is locked due to too many failed login attempts",
  invalid_refresh_token: "Refresh token is invalid or expired",
  weak_password: "Password does not meet the policy",
  invalid_code: "Invalid TOTP code",
  invalid_password: "Current password is incorrect",
  mfa_not_enrolled: "MFA is not enrolled",
  mfa_already_enrolled: "The identity is already enrolled in MFA",
  mfa_not_started: "MFA enrollment has not been started",
  not_found: "Resource not found",
  conflict: "Resource already exists",
  cannot_delete_self: "Cannot delete your own account",
  unauthorized: "Unauthorized",
  forbidden: "Access denied",
  rate_limited: "Too many requests",
  validation: "Invalid request",
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERRORS;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message?: string,
    readonly meta: { retryAfter?: number } = {},
  ) {
    super(message ?? DOMAIN_ERRORS[code]);
    this.name = "DomainError";
  }
}
