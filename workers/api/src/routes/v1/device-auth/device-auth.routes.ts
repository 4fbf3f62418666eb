import {
  DeviceApproveRequest,
  DeviceApproveResponse,
  DeviceCodeRequest,
  DeviceCodeResponse,
  DeviceLookupRequest,
  DeviceLookupResponse,
  DeviceTokenRequest,
  DeviceTokenResponse,
  errorResponses,
  json,
  jsonBody,
} from "@fleetgate/contract";
import { createRoute } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Auth"];

export const deviceCode = createRoute({
  method: "post",
  path: "/code",
  tags,
  summary: "Start a device authorization (CLI `login --sso`): a device code to poll with and a user code to approve",
  security: [],
  request: { body: jsonBody(DeviceCodeRequest) },
  responses: { 200: json(DeviceCodeResponse), ...errorResponses(400, 429) },
});

export const deviceToken = createRoute({
  method: "post",
  path: "/token",
  tags,
  summary:
    "Poll: 400 authorization_pending | slow_down (interval +5 s) | access_denied | expired_token, or the session (once)",
  security: [],
  request: { body: jsonBody(DeviceTokenRequest) },
  responses: { 200: json(DeviceTokenResponse), ...errorResponses(400, 429) },
});

export const deviceApprove = protectedRoute("/auth/device", "self", {
  method: "post",
  path: "/approve",
  tags,
  summary: "Approve or deny a user code as the signed-in user (the dashboard's /app/device page); single use",
  request: { body: jsonBody(DeviceApproveRequest) },
  responses: { 200: json(DeviceApproveResponse), ...errorResponses(400, 401) },
});

export const deviceLookup = protectedRoute("/auth/device", "self", {
  method: "post",
  path: "/lookup",
  tags,
  summary:
    "What a pending user code stands for (client name, address, times), shown before approving; consumes nothing",
  request: { body: jsonBody(DeviceLookupRequest) },
  responses: { 200: json(DeviceLookupResponse), ...errorResponses(400, 401) },
});
