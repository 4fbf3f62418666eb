import { type ExternalJwtSignerRow, listEnabledExternalJwtSigners, type ZqlFields } from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { baseEntity, link } from "../envelope";
import { baseFields, pageInMemory, zitiListQuery } from "../list-query";
import type { listExternalJwtSigners } from "./external-jwt-signers.routes";

const SIGNER_FIELDS: ZqlFields<ExternalJwtSignerRow> = {
  ...baseFields<ExternalJwtSignerRow>(),
  name: { kind: "scalar", type: "string", sql: "name", get: (s) => s.name },
  externalAuthUrl: { kind: "scalar", type: "string", sql: "external_auth_url", get: (s) => s.externalAuthUrl },
  clientId: { kind: "scalar", type: "string", sql: "client_id", get: (s) => s.clientId },
  audience: { kind: "scalar", type: "string", sql: "audience", get: (s) => s.audience },
  tags: { kind: "map", sql: "tags", get: (s) => s.tags },
};

/** The enabled signers (no session needed: an SDK shows them before login). */
export const signers: RouteHandler<typeof listExternalJwtSigners, AppEnv> = async (c) => {
  const { paging, zql } = zitiListQuery(c.req.valid("query"));
  const rows = await listEnabledExternalJwtSigners(await domain(c));
  const page = pageInMemory(rows, zql, SIGNER_FIELDS, paging);
  return c.json(
    {
      data: page.items.map((s) => ({
        ...baseEntity(s.id, s.createdAt, s.updatedAt, { self: link(`./external-jwt-signers/${s.id}`) }),
        tags: s.tags,
        name: s.name,
        externalAuthUrl: s.externalAuthUrl,
        audience: s.audience,
        clientId: s.clientId,
        scopes: s.scopes,
      })),
      meta: page.meta,
    },
    200,
  );
};
