import {
  errorResponses,
  IpWhitelist,
  json,
  jsonBody,
  Settings,
  SettingsUpdate,
  SmtpTestRequest,
  SsoDiscoverRequest,
  SsoDiscoverResult,
  TestResult,
} from "@fleetgate/contract";
import { protectedRoute } from "../route";

const tags = ["Settings"];

export const getSettings = protectedRoute("/settings", "admin", {
  method: "get",
  path: "",
  tags,
  summary: 'All settings; secrets read "********"',
  responses: { 200: json(Settings), ...errorResponses(401, 403) },
});

export const putSettings = protectedRoute("/settings", "admin", {
  method: "put",
  path: "",
  tags,
  summary: 'Update any sections (field by field); a secret sent as "********" keeps the stored value',
  request: { body: jsonBody(SettingsUpdate) },
  responses: { 200: json(Settings), ...errorResponses(400, 401, 403) },
});

export const getIpWhitelist = protectedRoute("/settings", "admin", {
  method: "get",
  path: "/ip-whitelist",
  tags,
  summary: "The IP allowlist of protected routes (CIDRs; empty = allow all)",
  responses: { 200: json(IpWhitelist), ...errorResponses(401, 403) },
});

export const putIpWhitelist = protectedRoute("/settings", "admin", {
  method: "put",
  path: "/ip-whitelist",
  tags,
  summary: "Replace the IP allowlist (must include the caller's own address)",
  request: { body: jsonBody(IpWhitelist) },
  responses: { 200: json(IpWhitelist), ...errorResponses(400, 401, 403) },
});

export const ssoDiscover = protectedRoute("/settings", "admin", {
  method: "post",
  path: "/sso/discover",
  tags,
  summary: "Fetch an OIDC discovery document (https, public targets, no redirects, 5 s, 256 KiB)",
  request: { body: jsonBody(SsoDiscoverRequest) },
  responses: { 200: json(SsoDiscoverResult), ...errorResponses(400, 401, 403) },
});

export const ssoTest = protectedRoute("/settings", "admin", {
  method: "post",
  path: "/sso/test",
  tags,
  summary: "Check the saved SSO configuration: discovery, JWKS and endpoints",
  responses: { 200: json(TestResult), ...errorResponses(401, 403) },
});

export const azureSsoTest = protectedRoute("/settings", "admin", {
  method: "post",
  path: "/azure-sso/test",
  tags,
  summary: "Same check as /settings/sso/test (the reference's Azure-era path)",
  responses: { 200: json(TestResult), ...errorResponses(401, 403) },
});

export const smtpTest = protectedRoute("/settings", "admin", {
  method: "post",
  path: "/smtp/test",
  tags,
  summary:
    "Send a test email with the saved SMTP settings (a real SMTP conversation: STARTTLS or implicit TLS, AUTH PLAIN/LOGIN); a failed conversation answers success:false with the server's reply",
  request: { body: jsonBody(SmtpTestRequest) },
  responses: { 200: json(TestResult), ...errorResponses(400, 401, 403) },
});
