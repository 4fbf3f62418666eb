import { iso, isoOrNull } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import { ApiError } from "../errors";
import type * as r from "./certificates.routes";

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

export const list: RouteHandler<typeof r.list, AppEnv> = async (c) => {
  // The same filters and order as the certificates export, one page of them.
  const rows = await svc.listCertificatesPage(
    await domain(c),
    c.req.valid("query"),
    svc.visibilityOf(currentIdentity(c)),
  );
  return c.json(rows.map(listBody), 200);
};

export const revoke: RouteHandler<typeof r.revoke, AppEnv> = async (c) => {
  await svc.revokeCertificate(await domain(c), c.req.valid("param").id, c.req.valid("query").reason);
  return c.json({ message: "Certificate revoked" }, 200);
};

export const renew: RouteHandler<typeof r.renew, AppEnv> = async (c) =>
  c.json(issuedBody(await svc.renewCertificateForAdmin(await domain(c), c.req.valid("param").id)), 200);

export const issueForHost: RouteHandler<typeof r.issueForHost, AppEnv> = async (c) => {
  const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
  return c.json(
    issuedBody(await svc.issueHostCertificate(await domain(c), c.req.valid("param").id, body.hostname)),
    200,
  );
};

export const reissue: RouteHandler<typeof r.reissue, AppEnv> = async (c) =>
  c.json(issuedBody(await svc.issueHostCertificate(await domain(c), c.req.valid("param").id, undefined, true)), 200);

export const clientCrt: RouteHandler<typeof r.clientCrt, AppEnv> = async (c) => {
  const row = await svc.latestHostCertificate(await domain(c), c.req.valid("param").id);
  if (!row) throw new ApiError(404, "not_found", "No active certificate found for this host");
  c.header("Content-Disposition", 'attachment; filename="client.crt"');
  return c.body(row.certPem, 200, { "Content-Type": "application/x-pem-file" });
};

export const rootCrt: RouteHandler<typeof r.rootCrt, AppEnv> = async (c) =>
  c.body(await svc.caBundlePem(await domain(c)), 200, {
    "Content-Type": "application/x-pem-file",
    "Content-Disposition": 'attachment; filename="ca.crt"',
  });

export const crlPem: RouteHandler<typeof r.crlPem, AppEnv> = async (c) =>
  c.body(await svc.currentCrl(await domain(c)), 200, { "Content-Type": "application/x-pem-file" });
