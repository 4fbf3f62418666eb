import {
  errorResponses,
  ForceChangePasswordRequest,
  json,
  jsonBody,
  LoginRequest,
  LoginResponse,
  Message,
  MfaDisableRequest,
  MfaSetupResponse,
  MfaVerifyRequest,
  MfaVerifyResponse,
  RefreshRequest,
} from "@fleetgate/contract";
import { createRoute } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Auth"];

export const login = createRoute({
  method: "post",
  path: "/login",
  tags,
  summary: "Sign in with username, password and (when enrolled) a TOTP or recovery code",
  security: [],
  request: { body: jsonBody(LoginRequest) },
  responses: { 200: json(LoginResponse), ...errorResponses(400, 401, 403, 423, 429) },
});

export const refresh = createRoute({
  method: "post",
  path: "/refresh",
  tags,
  summary: "Rotate a refresh token (reuse revokes the whole family)",
  security: [],
  request: { body: jsonBody(RefreshRequest) },
  responses: { 200: json(LoginResponse), ...errorResponses(400, 401, 403, 429) },
});

export const logout = createRoute({
  method: "post",
  path: "/logout",
  tags,
  summary: "End a refresh token family",
  security: [],
  request: { body: jsonBody(RefreshRequest) },
  responses: { 200: json(Message), ...errorResponses(400) },
});

export const forceChangePassword = createRoute({
  method: "post",
  path: "/force-change-password",
  tags,
  summary: "Change a password that an admin marked for reset",
  security: [],
  request: { body: jsonBody(ForceChangePasswordRequest) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 423, 429) },
});

export const mfaSetup = protectedRoute("/auth", "self", {
  method: "get",
  path: "/mfa/setup",
  tags,
  summary: "A fresh TOTP secret and otpauth URI (nothing stored until verified)",
  responses: { 200: json(MfaSetupResponse), ...errorResponses(401) },
});

export const mfaVerify = protectedRoute("/auth", "self", {
  method: "post",
  path: "/mfa/verify",
  tags,
  summary: "Enable MFA by proving the current password and a code for the secret; returns 10 single-use recovery codes",
  request: { body: jsonBody(MfaVerifyRequest) },
  responses: { 200: json(MfaVerifyResponse), ...errorResponses(400, 401, 409, 429) },
});

export const mfaDisable = protectedRoute("/auth", "self", {
  method: "delete",
  path: "/mfa",
  tags,
  summary: "Disable MFA (requires the current password)",
  request: { body: jsonBody(MfaDisableRequest) },
  responses: { 200: json(Message), ...errorResponses(400, 401) },
});
