import { z } from "@hono/zod-openapi";
import { Role, Uuid } from "./common";

const Username = z.string().min(1).max(100);
const Password = z.string().min(1).max(1024);

export const LoginRequest = z
  .object({ username: Username, password: Password, totp_code: z.string().max(32).optional() })
  .openapi("LoginRequest");

export const LoginUser = z
  .object({ id: Uuid, username: z.string(), display_name: z.string(), role: Role, mfa_enabled: z.boolean() })
  .openapi("LoginUser");

export const LoginResponse = z
  .object({
    access_token: z.string(),
    refresh_token: z.string().openapi({ description: "64 hex chars; rotated on every use" }),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int(),
    user: LoginUser,
  })
  .openapi("LoginResponse");

// No length cap: any string that is not a live token is 401 invalid_refresh_token (the body limit bounds it).
export const RefreshRequest = z
  .object({
    refresh_token: z
      .string()
      .optional()
      .openapi({ description: "Required unless the request carries the __Host-fg_refresh cookie (the dashboard)" }),
  })
  .openapi("RefreshRequest");
/** The body field alone, as API clients must send it (validates a request that has no cookie). */
export const RefreshTokenField = z.object({ refresh_token: z.string() });

export const ForceChangePasswordRequest = z
  .object({
    username: Username,
    current_password: Password,
    new_password: Password,
    totp_code: z
      .string()
      .max(32)
      .optional()
      .openapi({ description: "Required when the account has MFA enabled (TOTP or recovery code)" }),
  })
  .openapi("ForceChangePasswordRequest");

export const MfaSetupResponse = z.object({ secret_base32: z.string(), otp_uri: z.string() }).openapi("MfaSetup");
export const MfaVerifyRequest = z
  .object({
    secret_base32: z.string().max(128),
    code: z.string().max(16),
    password: Password.openapi({ description: "The current password, asked again: a stolen session cannot enrol MFA" }),
  })
  .openapi("MfaVerifyRequest");
export const MfaVerifyResponse = z
  .object({
    message: z.string(),
    recovery_codes: z.array(z.string()).openapi({ description: "Shown once; each works once in place of totp_code" }),
  })
  .openapi("MfaVerifyResponse");
export const MfaDisableRequest = z.object({ password: Password }).openapi("MfaDisableRequest");

export const SsoConfig = z
  .object({ enabled: z.boolean(), display_name: z.string(), auth_url: z.string() })
  .openapi("SsoConfig");

export const SsoCallbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(256).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
  session_state: z.string().max(1024).optional(),
  iss: z.string().max(2048).optional(),
});

export const SsoHandoffRequest = z.object({ handoff_code: z.string().max(256) }).openapi("SsoHandoffRequest");

export const SsoLoginUser = LoginUser.extend({ auth_provider: z.string() }).openapi("SsoLoginUser");
export const SsoHandoffResponse = LoginResponse.extend({ user: SsoLoginUser }).openapi("SsoHandoffResponse");
