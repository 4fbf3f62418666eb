import {
  errorResponses,
  json,
  jsonBody,
  SsoCallbackQuery,
  SsoConfig,
  SsoHandoffRequest,
  SsoHandoffResponse,
} from "@fleetgate/contract";
import { createRoute } from "@hono/zod-openapi";

const tags = ["SSO"];

export const ssoConfig = createRoute({
  method: "get",
  path: "/config",
  tags,
  summary: "Whether SSO is enabled, its button label and where to start",
  security: [],
  responses: { 200: json(SsoConfig) },
});

export const ssoLogin = createRoute({
  method: "get",
  path: "/login",
  tags,
  summary: "302 to the identity provider (authorization code + PKCE S256, state and nonce kept server-side 10 min)",
  security: [],
  responses: { 302: { description: "to the provider's authorization_endpoint" }, ...errorResponses(403, 429) },
});

export const ssoCallback = createRoute({
  method: "get",
  path: "/callback",
  tags,
  summary: "The provider's redirect: 302 to sso_callback_url?handoff=… or ?error=…&error_description=…",
  security: [],
  request: { query: SsoCallbackQuery },
  responses: { 302: { description: "to sso_callback_url" }, ...errorResponses(429) },
});

export const ssoHandoff = createRoute({
  method: "post",
  path: "/handoff",
  tags,
  summary: "Redeem a single-use 60 s handoff code for the session tokens",
  security: [],
  request: { body: jsonBody(SsoHandoffRequest) },
  responses: { 200: json(SsoHandoffResponse), ...errorResponses(400, 429) },
});
