import {
  Certificate,
  CertificateListQuery,
  errorResponses,
  IdParam,
  IssuedCert,
  IssueHostCertRequest,
  iso,
  isoOrNull,
  json,
  Message,
  RevokeQuery,
} from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { createRoute, z } from "@hono/zod-openapi";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { currentIdentity } from "../current";
import { ApiError } from "../errors";
import { protectedRoute } from "../route";

const tags = ["Certificates"];

const listBody = (row: svc.CertificateListRow) => ({
  id: row.id,
  host_id: row.hostId,
  serial_number: row.serialNumber,
  common_name: row.commonName,
  status: row.status,
  issued_at: iso(row.issuedAt),
  expires_at: iso(row.expiresAt),
  revoked_at: isoOrNull(row.revokedAt),
});

type HostIssue = Awaited<ReturnType<typeof svc.issueHostCertificate>>;
const issuedBody = (r: HostIssue) => ({
  cert_pem: r.client.row.certPem,
  key_pem: r.client.keyPem,
  serial_number: r.client.row.serial,
  expires_at: iso(r.client.row.notAfter),
  server_cert_pem: r.server.row.certPem,
  server_key_pem: r.server.keyPem,
  server_serial_number: r.server.row.serial,
  ca_root_pem: r.chain.root.certPem,
});

const list = protectedRoute("/certificates", "read", {
  method: "get",
  path: "",
  tags,
  summary: "Certificates, newest first",
  request: { query: CertificateListQuery },
  responses: { 200: json(z.array(Certificate)), ...errorResponses(400, 401, 403) },
});
const revoke = protectedRoute("/certificates", "admin", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Revoke a certificate (effective on the next request; the CRL is regenerated)",
  request: { params: IdParam, query: RevokeQuery },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
const renew = protectedRoute("/certificates", "admin", {
  method: "post",
  path: "/{id}/renew",
  tags,
  summary: "Issue a fresh client + server certificate for the same host (server-made keys, shown once)",
  request: { params: IdParam },
  responses: { 200: json(IssuedCert), ...errorResponses(400, 401, 403, 404) },
});
const issueForHost = protectedRoute("/hosts", "admin", {
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
const reissue = protectedRoute("/hosts", "admin", {
  method: "post",
  path: "/{id}/certificates/reissue",
  tags,
  summary: "Revoke every active certificate of a host, then issue new ones",
  request: { params: IdParam },
  responses: { 200: json(IssuedCert), ...errorResponses(400, 401, 403, 404) },
});
const clientCrt = protectedRoute("/hosts", "admin", {
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

export const certificatesRouter = createRouter()
  .openapi(list, async (c) => {
    // The same query as the certificates export, so a list and an export show the same rows.
    const ctx = await domain(c);
    const rows: svc.CertificateListRow[] = [];
    for await (const page of svc.iterateCertificates(ctx, c.req.valid("query"), svc.visibilityOf(currentIdentity(c)))) {
      rows.push(...page);
    }
    return c.json(rows.map(listBody), 200);
  })
  .openapi(revoke, async (c) => {
    await svc.revokeCertificate(await domain(c), c.req.valid("param").id, c.req.valid("query").reason);
    return c.json({ message: "Certificate revoked" }, 200);
  })
  .openapi(renew, async (c) =>
    c.json(issuedBody(await svc.renewCertificateForAdmin(await domain(c), c.req.valid("param").id)), 200),
  );

export const hostCertificatesRouter = createRouter()
  .openapi(issueForHost, async (c) => {
    const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
    return c.json(
      issuedBody(await svc.issueHostCertificate(await domain(c), c.req.valid("param").id, body.hostname)),
      200,
    );
  })
  .openapi(reissue, async (c) =>
    c.json(issuedBody(await svc.issueHostCertificate(await domain(c), c.req.valid("param").id, undefined, true)), 200),
  )
  .openapi(clientCrt, async (c) => {
    const row = await svc.latestHostCertificate(await domain(c), c.req.valid("param").id);
    if (!row) throw new ApiError(404, "not_found", "No active certificate found for this host");
    c.header("Content-Disposition", 'attachment; filename="client.crt"');
    return c.body(row.certPem, 200, { "Content-Type": "application/x-pem-file" });
  });

export const publicPkiRouter = createRouter()
  .openapi(rootCrt, async (c) =>
    c.body(await svc.caBundlePem(await domain(c)), 200, {
      "Content-Type": "application/x-pem-file",
      "Content-Disposition": 'attachment; filename="ca.crt"',
    }),
  )
  .openapi(crlPem, async (c) =>
    c.body(await svc.currentCrl(await domain(c)), 200, { "Content-Type": "application/x-pem-file" }),
  );
