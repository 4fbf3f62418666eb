import {
  AnyIdParam,
  CreateCurrentApiSessionCertificateEnvelope,
  CurrentApiSessionCertificateCreate,
  CurrentApiSessionCertificateDetail,
  Empty,
  envelopeOf,
  IdentityExtendEnrollmentEnvelope,
  IdentityExtendEnrollmentRequest,
  IdentityExtendValidateEnrollmentRequest,
  ListCurrentApiSessionCertificatesEnvelope,
  ListQuery,
} from "@fleetgate/contract/ziti";
import { createRoute, type z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

const auth = { security: ZT_SESSION, middleware: zitiAuth() };
const bodyOf = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

export const listCurrentApiSessionCertificates = createRoute({
  method: "get",
  path: "/current-api-session/certificates",
  operationId: "listCurrentApiSessionCertificates",
  tags: ["Current API Session"],
  summary: "List the ephemeral certificates of the current API session",
  ...auth,
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(ListCurrentApiSessionCertificatesEnvelope, "A list of the current API session's certificates"),
    ...errorResponses(400, 401, 429),
  },
});

export const createCurrentApiSessionCertificate = createRoute({
  method: "post",
  path: "/current-api-session/certificates",
  operationId: "createCurrentApiSessionCertificate",
  tags: ["Current API Session"],
  summary: "Create an ephemeral certificate (hours-long, bound to this API session) from a CSR",
  ...auth,
  request: { body: bodyOf(CurrentApiSessionCertificateCreate) },
  responses: {
    201: jsonResponse(CreateCurrentApiSessionCertificateEnvelope, "The certificate and the CA bundle"),
    ...errorResponses(400, 401, 429),
  },
});

export const detailCurrentApiSessionCertificate = createRoute({
  method: "get",
  path: "/current-api-session/certificates/{id}",
  operationId: "detailCurrentApiSessionCertificate",
  tags: ["Current API Session"],
  summary: "One ephemeral certificate of the current API session",
  ...auth,
  request: { params: AnyIdParam },
  responses: {
    200: jsonResponse(
      envelopeOf(CurrentApiSessionCertificateDetail, "detailCurrentApiSessionCertificateEnvelope"),
      "A certificate",
    ),
    ...errorResponses(401, 404, 429),
  },
});

export const deleteCurrentApiSessionCertificate = createRoute({
  method: "delete",
  path: "/current-api-session/certificates/{id}",
  operationId: "deleteCurrentApiSessionCertificate",
  tags: ["Current API Session"],
  summary: "Revoke one ephemeral certificate of the current API session",
  ...auth,
  request: { params: AnyIdParam },
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(401, 404, 429) },
});

export const extendCurrentIdentityAuthenticator = createRoute({
  method: "post",
  path: "/current-identity/authenticators/{id}/extend",
  operationId: "extendCurrentIdentityAuthenticator",
  tags: ["Current Identity"],
  summary: "Issue a new certificate for a network-issued certificate authenticator (verify it to switch)",
  ...auth,
  request: { params: AnyIdParam, body: bodyOf(IdentityExtendEnrollmentRequest) },
  responses: {
    200: jsonResponse(IdentityExtendEnrollmentEnvelope, "The new client certificate and the CA bundle"),
    ...errorResponses(400, 401, 404, 429),
  },
});

export const extendVerifyCurrentIdentityAuthenticator = createRoute({
  method: "post",
  path: "/current-identity/authenticators/{id}/extend-verify",
  operationId: "extendVerifyCurrentIdentityAuthenticator",
  tags: ["Current Identity"],
  summary: "Switch the authenticator to the certificate an extension returned",
  ...auth,
  request: { params: AnyIdParam, body: bodyOf(IdentityExtendValidateEnrollmentRequest) },
  responses: { 200: jsonResponse(Empty, "Base empty response"), ...errorResponses(400, 401, 404, 429) },
});
