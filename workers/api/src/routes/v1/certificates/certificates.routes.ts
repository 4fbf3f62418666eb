import {
  Certificate,
  CertificateListQuery,
  errorResponses,
  IdParam,
  IssuedCert,
  IssueHostCertRequest,
  json,
  Message,
  RevokeQuery,
} from "@fleetgate/contract";
import { createRoute, z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Certificates"];

export const list = protectedRoute("/certificates", "read", {
  method: "get",
  path: "",
  tags,
  summary: "Certificates, newest first (limit default 50, clamped to 200; offset)",
  request: { query: CertificateListQuery },
  responses: { 200: json(z.array(Certificate)), ...errorResponses(400, 401, 403) },
});
export const revoke = protectedRoute("/certificates", "admin", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Revoke a certificate (effective on the next request; the CRL is regenerated)",
  request: { params: IdParam, query: RevokeQuery },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const renew = protectedRoute("/certificates", "admin", {
  method: "post",
  path: "/{id}/renew",
  tags,
  summary: "Issue a fresh client + server certificate for the same host (server-made keys, shown once)",
  request: { params: IdParam },
  responses: { 200: json(IssuedCert), ...errorResponses(400, 401, 403, 404) },
});
export const issueForHost = protectedRoute("/hosts", "admin", {
  method: "post",
  path: "/{id}/certificates",
  tags,
  summary: "Issue a client + server certificate for a host (server-made keys, shown once)",
  request: {
    params: IdParam,
    body: { required: false, content: { "application/json": { schema: IssueHostCertRequest } } },
  },
  responses: { 200: json(IssuedCert), ...errorResponses(400, 401, 403, 404) },
});
export const reissue = protectedRoute("/hosts", "admin", {
  method: "post",
  path: "/{id}/certificates/reissue",
  tags,
  summary: "Revoke every active certificate of a host, then issue new ones",
  request: { params: IdParam },
  responses: { 200: json(IssuedCert), ...errorResponses(400, 401, 403, 404) },
});
export const clientCrt = protectedRoute("/hosts", "admin", {
  method: "get",
  path: "/{id}/client.crt",
  tags,
  summary: "The host's latest active certificate (PEM)",
  request: { params: IdParam },
  responses: {
    200: { description: "PEM", content: { "application/x-pem-file": { schema: z.string() } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export const rootCrt = createRoute({
  method: "get",
  path: "/ca/root.crt",
  tags,
  summary: "The CA chain (issuing CA + root), PEM",
  security: [],
  responses: { 200: { description: "PEM", content: { "application/x-pem-file": { schema: z.string() } } } },
});
export const crlPem = createRoute({
  method: "get",
  path: "/pki/crl.pem",
  tags,
  summary: "The current CRL (regenerated on every revocation and before nextUpdate)",
  security: [],
  responses: { 200: { description: "PEM CRL", content: { "application/x-pem-file": { schema: z.string() } } } },
});
