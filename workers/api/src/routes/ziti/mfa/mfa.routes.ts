import {
  CreateEnvelope,
  DetailMfa,
  DetailMfaRecoveryCodes,
  Empty,
  envelopeOf,
  MfaCode,
  MfaValidationCodeHeader,
} from "@fleetgate/contract/ziti";
import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

const tags = ["Current Identity", "MFA"];
/** ziti-edge-client.md §5.3: these MFA routes stay open to a session whose MFA is still pending. */
const partial = { security: ZT_SESSION, middleware: zitiAuth({ partial: true }) };
const full = { security: ZT_SESSION, middleware: zitiAuth() };
const validationCode = MfaValidationCodeHeader;

export const detailMfa = createRoute({
  method: "get",
  path: "/current-identity/mfa",
  operationId: "detailMfa",
  tags,
  summary: "Returns the current status of MFA enrollment",
  ...partial,
  responses: {
    200: jsonResponse(envelopeOf(DetailMfa, "detailMfaEnvelope"), "The details of an MFA enrollment"),
    ...errorResponses(401, 404),
  },
});

export const enrollMfa = createRoute({
  method: "post",
  path: "/current-identity/mfa",
  operationId: "enrollMfa",
  tags,
  summary: "Initiate MFA enrollment",
  ...partial,
  responses: { 201: jsonResponse(CreateEnvelope, "The enrollment was started"), ...errorResponses(401, 409) },
});

export const deleteMfa = createRoute({
  method: "delete",
  path: "/current-identity/mfa",
  operationId: "deleteMfa",
  tags,
  summary: "Disable MFA for the current identity (a current code is required once verified)",
  ...full,
  request: { headers: validationCode },
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(401, 404, 429) },
});

export const detailMfaQrCode = createRoute({
  method: "get",
  path: "/current-identity/mfa/qr-code",
  operationId: "detailMfaQrCode",
  tags,
  summary: "Show a QR code for unverified MFA enrollments",
  ...partial,
  responses: {
    200: {
      description: "A PNG of the provisioning URL",
      content: { "image/png": { schema: z.string().openapi({ format: "binary" }) } },
    },
    ...errorResponses(401, 404),
  },
});

export const verifyMfa = createRoute({
  method: "post",
  path: "/current-identity/mfa/verify",
  operationId: "verifyMfa",
  tags,
  summary: "Complete MFA enrollment by verifying a time based one time token",
  ...partial,
  request: { body: { required: true, content: { "application/json": { schema: MfaCode } } } },
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(400, 401, 404, 429) },
});

export const detailMfaRecoveryCodes = createRoute({
  method: "get",
  path: "/current-identity/mfa/recovery-codes",
  operationId: "detailMfaRecoveryCodes",
  tags,
  summary: "For a completed MFA enrollment view the current recovery codes",
  ...full,
  request: { headers: validationCode },
  responses: {
    200: jsonResponse(envelopeOf(DetailMfaRecoveryCodes, "detailMfaRecoveryCodesEnvelope"), "The recovery codes"),
    ...errorResponses(401, 404, 429),
  },
});

export const createMfaRecoveryCodes = createRoute({
  method: "post",
  path: "/current-identity/mfa/recovery-codes",
  operationId: "createMfaRecoveryCodes",
  tags,
  summary: "For a completed MFA enrollment regenerate the recovery codes",
  ...full,
  request: { body: { required: true, content: { "application/json": { schema: MfaCode } } } },
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(401, 404, 429) },
});
