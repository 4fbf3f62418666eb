import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { baseEntity, EMPTY, link, zitiTime } from "../envelope";
import { baseFields, pageInMemory, zitiListQuery } from "../list-query";
import { currentIdentityRow, currentSession } from "../ziti-auth";
import type * as r from "./session-certificates.routes";

interface SessionCertView {
  id: string;
  createdAt: number;
  updatedAt: number;
  row: svc.CertificateRow;
}

/** ZitiQL fields of `currentApiSessionCertificateDetail` (filter and sort in memory: a session has few). */
const CERT_FIELDS: svc.ZqlFields<SessionCertView> = {
  ...baseFields<SessionCertView>(),
  fingerprint: { kind: "scalar", type: "string", sql: "fingerprint", get: (v) => v.row.fingerprintSha1 },
  subject: { kind: "scalar", type: "string", sql: "subject", get: (v) => v.row.subject },
  validFrom: { kind: "scalar", type: "datetime", sql: "valid_from", get: (v) => v.row.notBefore },
  validTo: { kind: "scalar", type: "datetime", sql: "valid_to", get: (v) => v.row.notAfter },
};

const certDetail = (row: svc.CertificateRow) => ({
  ...baseEntity(row.id, row.createdAt, row.createdAt, { self: link(`./current-api-session/certificates/${row.id}`) }),
  certificate: row.certPem,
  fingerprint: row.fingerprintSha1,
  subject: row.subject,
  validFrom: zitiTime(row.notBefore),
  validTo: zitiTime(row.notAfter),
});

export const list: RouteHandler<typeof r.listCurrentApiSessionCertificates, AppEnv> = async (c) => {
  const { paging, zql } = zitiListQuery(c.req.valid("query"));
  const rows = await svc.listSessionCertificates(await domain(c), currentSession(c).row.id);
  const views = rows.map((row) => ({ id: row.id, createdAt: row.createdAt, updatedAt: row.createdAt, row }));
  const page = pageInMemory(views, zql, CERT_FIELDS, paging);
  return c.json({ data: page.items.map((v) => certDetail(v.row)), meta: page.meta }, 200);
};

export const create: RouteHandler<typeof r.createCurrentApiSessionCertificate, AppEnv> = async (c) => {
  const { csr } = c.req.valid("json");
  const me = currentIdentityRow(c);
  const ctx = await domain(c);
  const res = await svc.issueSessionCertificate(ctx, me.id, me.name, currentSession(c).row.id, csr);
  return c.json(
    {
      data: {
        id: res.row.id,
        _links: { self: link(`./current-api-session/certificates/${res.row.id}`) },
        certificate: res.row.certPem,
        cas: await svc.caBundlePem(ctx),
      },
      meta: {},
    },
    201,
  );
};

export const detail: RouteHandler<typeof r.detailCurrentApiSessionCertificate, AppEnv> = async (c) => {
  const row = await svc.sessionCertificate(await domain(c), currentSession(c).row.id, c.req.valid("param").id);
  return c.json({ data: certDetail(row), meta: {} }, 200);
};

export const remove: RouteHandler<typeof r.deleteCurrentApiSessionCertificate, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const row = await svc.sessionCertificate(ctx, currentSession(c).row.id, c.req.valid("param").id);
  await svc.revokeCertificate(ctx, row.id, "cessationOfOperation");
  return c.json(EMPTY, 200);
};

export const extend: RouteHandler<typeof r.extendCurrentIdentityAuthenticator, AppEnv> = async (c) => {
  const { clientCertCsr } = c.req.valid("json");
  const me = currentIdentityRow(c);
  const ctx = await domain(c);
  // Only from a session authenticated with this certificate authenticator (issue 11).
  const sessionAuthenticator = currentSession(c).row.authenticatorId;
  const res = await svc.extendCertAuthenticator(
    ctx,
    me.id,
    c.req.valid("param").id,
    clientCertCsr,
    sessionAuthenticator,
  );
  return c.json({ data: { clientCert: res.row.certPem, ca: await svc.caBundlePem(ctx) }, meta: {} }, 200);
};

export const extendVerify: RouteHandler<typeof r.extendVerifyCurrentIdentityAuthenticator, AppEnv> = async (c) => {
  const { clientCert } = c.req.valid("json");
  await svc.verifyExtendedAuthenticator(
    await domain(c),
    currentIdentityRow(c).id,
    c.req.valid("param").id,
    clientCert,
    currentSession(c).row.authenticatorId,
  );
  return c.json(EMPTY, 200);
};
