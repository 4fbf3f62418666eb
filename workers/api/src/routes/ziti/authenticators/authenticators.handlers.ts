import {
  type AuthenticatorView,
  changeOwnPassword,
  findAuthenticator,
  type IdentityRow,
  listAuthenticators,
  verifyCurrentPassword,
  type ZqlFields,
} from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { baseEntity, EMPTY, entityRef, link } from "../envelope";
import { Z } from "../errors";
import { baseFields, pageInMemory, zitiListQuery } from "../list-query";
import { currentIdentityRow } from "../ziti-auth";
import type {
  detailCurrentIdentityAuthenticator,
  listCurrentIdentityAuthenticators,
  patchCurrentIdentityAuthenticator,
  updateCurrentIdentityAuthenticator,
} from "./authenticators.routes";

/** ZitiQL fields of `authenticatorDetail` (an identity has a handful: filtered and sorted in memory). */
const AUTHENTICATOR_FIELDS: ZqlFields<AuthenticatorView> = {
  ...baseFields<AuthenticatorView>(),
  method: { kind: "scalar", type: "string", sql: "method", get: (a) => a.method },
  username: { kind: "scalar", type: "string", sql: "username", get: (a) => a.username },
  fingerprint: { kind: "scalar", type: "string", sql: "fingerprint", get: (a) => a.fingerprint },
  identityId: { kind: "scalar", type: "string", sql: "identity_id", get: (a) => a.identityId },
  isIssuedByNetwork: { kind: "scalar", type: "bool", sql: "is_issued_by_network", get: (a) => a.issuedByNetwork },
};
/** Every authenticator of one identity (updb, its cert, third-party certs): far below this bound. */
const ALL_OF_ONE_IDENTITY = { limit: 10_000, offset: 0 };

function authenticatorDetail(a: AuthenticatorView, me: IdentityRow) {
  return {
    ...baseEntity(a.id, a.createdAt, a.updatedAt, { self: link(`./current-identity/authenticators/${a.id}`) }),
    method: a.method,
    ...(a.username !== null ? { username: a.username } : {}),
    ...(a.fingerprint !== null ? { fingerprint: a.fingerprint } : {}),
    ...(a.certPem !== null ? { certPem: a.certPem } : {}),
    isIssuedByNetwork: a.issuedByNetwork,
    identityId: me.id,
    identity: entityRef("identities", me.id, me.name),
  };
}

/**
 * PUT/PATCH: proves `currentPassword`, then sets the new password (policy-checked by
 * the domain). A username other than the current one is refused: the updb username
 * is the person's sign-in name on every face, renamed only by an administrator.
 */
async function update(
  c: Context<AppEnv>,
  id: string,
  body: { username?: string | null; password?: string | null; currentPassword: string },
) {
  const me = currentIdentityRow(c);
  const ctx = await domain(c);
  const found = await findAuthenticator(ctx, me.id, id);
  if (!found) throw Z.notFound();
  if (found.method !== "updb" || found.username === null) {
    throw Z.cannotUpdateAuthenticator("only updb authenticators have a password");
  }
  if (body.username != null && body.username !== found.username) {
    throw Z.cannotUpdateAuthenticator("the username of an authenticator cannot be changed here");
  }
  if (body.password != null) {
    await changeOwnPassword(ctx, me, body.currentPassword, body.password);
    return;
  }
  await verifyCurrentPassword(ctx, found.username, body.currentPassword);
}

export const listCurrentIdentityAuthenticatorsHandler: RouteHandler<
  typeof listCurrentIdentityAuthenticators,
  AppEnv
> = async (c) => {
  const me = currentIdentityRow(c);
  const { paging, zql } = zitiListQuery(c.req.valid("query"));
  const { items } = await listAuthenticators(await domain(c), me.id, ALL_OF_ONE_IDENTITY);
  const page = pageInMemory(items, zql, AUTHENTICATOR_FIELDS, paging);
  return c.json({ data: page.items.map((a) => authenticatorDetail(a, me)), meta: page.meta }, 200);
};

export const detailCurrentIdentityAuthenticatorHandler: RouteHandler<
  typeof detailCurrentIdentityAuthenticator,
  AppEnv
> = async (c) => {
  const me = currentIdentityRow(c);
  const found = await findAuthenticator(await domain(c), me.id, c.req.valid("param").id);
  if (!found) throw Z.notFound();
  return c.json({ data: authenticatorDetail(found, me), meta: {} }, 200);
};

export const updateCurrentIdentityAuthenticatorHandler: RouteHandler<
  typeof updateCurrentIdentityAuthenticator,
  AppEnv
> = async (c) => {
  await update(c, c.req.valid("param").id, c.req.valid("json"));
  return c.json(EMPTY, 200);
};

export const patchCurrentIdentityAuthenticatorHandler: RouteHandler<
  typeof patchCurrentIdentityAuthenticator,
  AppEnv
> = async (c) => {
  await update(c, c.req.valid("param").id, c.req.valid("json"));
  return c.json(EMPTY, 200);
};
