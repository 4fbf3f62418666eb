import * as svc from "@fleetgate/domain";
import { z } from "zod";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { baseEntity, EMPTY, link, zitiTime } from "../envelope";
import { ZitiError } from "../errors";
import { listMeta, parsePaging } from "../pagination";
import { currentIdentityRow, currentSession, zitiAuth } from "../ziti-auth";

const CsrBody = z.object({
  csr: z
    .string()
    .min(1)
    .max(16 * 1024),
});
const ExtendBody = z.object({
  clientCertCsr: z
    .string()
    .min(1)
    .max(16 * 1024),
});
const ExtendVerifyBody = z.object({
  clientCert: z
    .string()
    .min(1)
    .max(32 * 1024),
});

async function body<T>(raw: () => Promise<unknown>, schema: z.ZodType<T>): Promise<T> {
  let value: unknown;
  try {
    value = await raw();
  } catch {
    throw new ZitiError(400, "COULD_NOT_PARSE_BODY", "The body of the request could not be parsed");
  }
  const res = schema.safeParse(value);
  if (!res.success) {
    const i = res.error.issues[0];
    const field = i?.path.join(".") || "(root)";
    throw new ZitiError(
      400,
      "COULD_NOT_VALIDATE",
      "The supplied request contains an invalid document",
      { field, reason: i?.message ?? "invalid", value: null },
      `${field}: ${i?.message ?? "invalid"}`,
    );
  }
  return res.data;
}

const certDetail = (row: svc.CertificateRow) => ({
  ...baseEntity(row.id, row.createdAt, row.createdAt, { self: link(`./current-api-session/certificates/${row.id}`) }),
  certificate: row.certPem,
  fingerprint: row.fingerprintSha1,
  subject: row.subject,
  validFrom: zitiTime(row.notBefore),
  validTo: zitiTime(row.notAfter),
});

/**
 * Ephemeral API-session certificates (hours-long, bound to the zt-session) and
 * the two-step certificate authenticator extension (`extend` → `extend-verify`).
 */
export const sessionCertificatesRouter = createRouter()
  .get("/current-api-session/certificates", zitiAuth(), async (c) => {
    const paging = parsePaging(c.req.query());
    const rows = await svc.listSessionCertificates(await domain(c), currentSession(c).row.id);
    return c.json({
      data: rows.slice(paging.offset, paging.offset + paging.limit).map(certDetail),
      meta: listMeta(paging, rows.length),
    });
  })
  .post("/current-api-session/certificates", zitiAuth(), async (c) => {
    const { csr } = await body(() => c.req.json(), CsrBody);
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
  })
  .get("/current-api-session/certificates/:id", zitiAuth(), async (c) => {
    const row = await svc.sessionCertificate(await domain(c), currentSession(c).row.id, c.req.param("id"));
    return c.json({ data: certDetail(row), meta: {} });
  })
  .delete("/current-api-session/certificates/:id", zitiAuth(), async (c) => {
    const ctx = await domain(c);
    const row = await svc.sessionCertificate(ctx, currentSession(c).row.id, c.req.param("id"));
    await svc.revokeCertificate(ctx, row.id, "cessationOfOperation");
    return c.json(EMPTY);
  })
  .post("/current-identity/authenticators/:id/extend", zitiAuth(), async (c) => {
    const { clientCertCsr } = await body(() => c.req.json(), ExtendBody);
    const me = currentIdentityRow(c);
    const ctx = await domain(c);
    const session = currentSession(c).row;
    const res = await svc.extendCertAuthenticator(
      ctx,
      me.id,
      c.req.param("id"),
      clientCertCsr,
      session.authenticatorId,
    );
    return c.json({ data: { clientCert: res.row.certPem, ca: await svc.caBundlePem(ctx) }, meta: {} });
  })
  .post("/current-identity/authenticators/:id/extend-verify", zitiAuth(), async (c) => {
    const { clientCert } = await body(() => c.req.json(), ExtendVerifyBody);
    await svc.verifyExtendedAuthenticator(
      await domain(c),
      currentIdentityRow(c).id,
      c.req.param("id"),
      clientCert,
      currentSession(c).row.authenticatorId,
    );
    return c.json(EMPTY);
  });
