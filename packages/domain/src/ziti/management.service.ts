import { Validator } from "@cfworker/json-schema";
import { certificateJwk } from "@fleetgate/auth";
import type { ZitiInput, ZitiKind } from "@fleetgate/contract";
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { commitAudited } from "../audit/audit.service";
import { forgetJwks } from "../external-jwt/oidc-provider";
import { refuseTarget } from "../external-jwt/outbound";
import {
  identities,
  zitiAuthPolicies,
  zitiConfigs,
  zitiConfigTypes,
  zitiEdgeRouters,
  zitiExternalJwtSigners,
  zitiPostureChecks,
  zitiRouterPolicies,
  zitiServicePolicies,
  zitiServices,
} from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { ssoPolicy } from "../sso/sso.service";

type Row = Record<string, unknown> & { id: string; createdAt: number; updatedAt: number };
type Values = Record<string, unknown>;

interface Adapter<K extends ZitiKind> {
  table: SQLiteTable & {
    id: import("drizzle-orm/sqlite-core").SQLiteColumn;
    name: import("drizzle-orm/sqlite-core").SQLiteColumn;
  };
  /** Extra condition (router policies share one table). */
  scope?: SQL;
  toValues(input: ZitiInput<K>): Values;
  toView(row: Row): Values;
  check?(ctx: DomainContext, input: ZitiInput<K>, id: string): Promise<void>;
}

const routerPolicy = (kind: "edge-router" | "service-edge-router", subject: "identityRoles" | "serviceRoles") => ({
  table: zitiRouterPolicies,
  scope: eq(zitiRouterPolicies.kind, kind),
  toValues: (
    i: { name: string; semantic: string; edgeRouterRoles: string[]; tags: Values } & Record<string, unknown>,
  ) => ({
    kind,
    name: i.name,
    semantic: i.semantic,
    subjectRoles: i[subject],
    edgeRouterRoles: i.edgeRouterRoles,
    tags: i.tags,
  }),
  toView: ({ subjectRoles, kind: _kind, ...rest }: Row) => ({ ...rest, [subject]: subjectRoles }),
});

const ADAPTERS: { [K in ZitiKind]: Adapter<K> } = {
  services: {
    table: zitiServices,
    toValues: (i) => i,
    toView: (r) => r,
    check: async (ctx, i) => {
      if (i.configs.length === 0) return;
      const rows = await ctx.db.select().from(zitiConfigs).all();
      const byId = new Map(rows.map((c) => [c.id, c]));
      const types = new Set<string>();
      for (const id of i.configs) {
        const c = byId.get(id);
        if (!c) throw new DomainError("common.validation", `config ${id} does not exist`);
        if (types.has(c.configTypeId))
          throw new DomainError("common.validation", "a service may hold one config per config type");
        types.add(c.configTypeId);
      }
    },
  },
  "config-types": {
    table: zitiConfigTypes,
    toValues: (i) => i,
    toView: (r) => r,
    check: async (_ctx, i) => {
      if (!i.schema) return;
      try {
        new Validator(i.schema as ConstructorParameters<typeof Validator>[0], "2020-12").validate({});
      } catch {
        throw new DomainError("common.validation", "schema is not a usable JSON schema");
      }
    },
  },
  configs: {
    table: zitiConfigs,
    toValues: (i) => i,
    toView: (r) => r,
    check: async (ctx, i) => {
      const type = await ctx.db.select().from(zitiConfigTypes).where(eq(zitiConfigTypes.id, i.configTypeId)).get();
      if (!type) throw new DomainError("common.validation", "configTypeId does not exist");
      if (!type.schema) return;
      const result = new Validator(
        type.schema as ConstructorParameters<typeof Validator>[0],
        "2020-12",
        false,
      ).validate(i.data);
      if (!result.valid) {
        const first = result.errors[0];
        throw new DomainError(
          "common.validation",
          `data does not match the config type's schema: ${first?.instanceLocation ?? "#"} ${first?.error ?? ""}`.trim(),
        );
      }
    },
  },
  "service-policies": { table: zitiServicePolicies, toValues: (i) => i, toView: (r) => r },
  "edge-routers": {
    table: zitiEdgeRouters,
    toValues: (i) => i,
    toView: (r) => r,
  },
  "edge-router-policies": routerPolicy("edge-router", "identityRoles"),
  "service-edge-router-policies": routerPolicy("service-edge-router", "serviceRoles"),
  "posture-checks": {
    table: zitiPostureChecks,
    toValues: ({ name, typeId, roleAttributes, tags, ...params }) => ({ name, typeId, roleAttributes, tags, params }),
    toView: ({ params, ...rest }: Row) => ({ ...rest, ...(params as Values) }),
  },
  "external-jwt-signers": {
    table: zitiExternalJwtSigners,
    toValues: (i) => i,
    toView: (r) => r,
    check: async (ctx, i, id) => {
      if (i.jwksEndpoint) {
        const refused = refuseTarget(new URL(i.jwksEndpoint), ssoPolicy(ctx));
        if (refused) throw new DomainError("common.validation", `jwksEndpoint: ${refused}`);
      }
      if (i.certPem && !(await certificateJwk(i.certPem, i.kid ?? "")))
        throw new DomainError("common.validation", "certPem is not a PEM certificate with an RSA, EC or Ed25519 key");
      // An edited signer's keys are fetched afresh.
      const before = await ctx.db
        .select({ jwks: zitiExternalJwtSigners.jwksEndpoint })
        .from(zitiExternalJwtSigners)
        .where(eq(zitiExternalJwtSigners.id, id))
        .get();
      if (before?.jwks) forgetJwks(before.jwks);
    },
  },
  "auth-policies": {
    table: zitiAuthPolicies,
    toValues: (i) => ({
      name: i.name,
      extJwtAllowed: i.primary.extJwt.allowed,
      extJwtAllowedSigners: i.primary.extJwt.allowedSigners,
      tags: i.tags,
    }),
    toView: ({ extJwtAllowed, extJwtAllowedSigners, ...rest }: Row) => ({
      ...rest,
      primary: { extJwt: { allowed: extJwtAllowed, allowedSigners: extJwtAllowedSigners } },
    }),
    check: async (ctx, i) => {
      const ids = [...new Set(i.primary.extJwt.allowedSigners)];
      if (ids.length === 0) return;
      const found = await ctx.db
        .select({ id: zitiExternalJwtSigners.id })
        .from(zitiExternalJwtSigners)
        .where(inArray(zitiExternalJwtSigners.id, ids))
        .all();
      if (found.length !== ids.length) throw new DomainError("common.validation", "allowedSigners: unknown signer id");
    },
  },
};

function adapter<K extends ZitiKind>(kind: K): Adapter<K> {
  return ADAPTERS[kind];
}

function where<K extends ZitiKind>(a: Adapter<K>, id?: string): SQL | undefined {
  const byId = id === undefined ? undefined : eq(a.table.id, id);
  return a.scope && byId ? and(a.scope, byId) : (a.scope ?? byId);
}

const unique = (err: unknown) => /UNIQUE constraint failed/i.test(String(err));
const referenced = (err: unknown) => /FOREIGN KEY constraint failed/i.test(String(err));

/** All entities of a kind, by name. */
export async function listZiti(ctx: DomainContext, kind: ZitiKind): Promise<Values[]> {
  const a = adapter(kind);
  const rows = (await ctx.db.select().from(a.table).where(where(a)).orderBy(asc(a.table.name)).all()) as Row[];
  return rows.map((r) => a.toView(r));
}

/** One entity; 404 when missing. */
export async function getZiti(ctx: DomainContext, kind: ZitiKind, id: string): Promise<Values> {
  const a = adapter(kind);
  const row = (await ctx.db.select().from(a.table).where(where(a, id)).get()) as Row | undefined;
  if (!row) throw new DomainError("common.not_found");
  return a.toView(row);
}

/** Commits a create or update of a named entity with its audit entry; a name taken already is a 409. */
async function commitNamed(
  ctx: DomainContext,
  kind: ZitiKind,
  verb: "create" | "update",
  id: string,
  input: { name: string },
  statement: BatchItem<"sqlite">,
): Promise<void> {
  try {
    await commitAudited(ctx, [statement], {
      action: `ziti.${kind}.${verb}`,
      targetType: `ziti.${kind}`,
      targetId: id,
      detail: { name: input.name },
    });
  } catch (err) {
    if (unique(err)) throw new DomainError("common.conflict", "An entity with this name already exists");
    throw err;
  }
}

/** Creates an entity (audited); 409 on a duplicate name. */
export async function createZiti<K extends ZitiKind>(
  ctx: DomainContext,
  kind: K,
  input: ZitiInput<K>,
): Promise<string> {
  const a = adapter(kind);
  const id = newId();
  await a.check?.(ctx, input, id);
  const now = ctx.now();
  await commitNamed(
    ctx,
    kind,
    "create",
    id,
    input,
    ctx.db.insert(a.table).values({ ...a.toValues(input), id, createdAt: now, updatedAt: now } as never),
  );
  return id;
}

/** Replaces an entity's fields (PUT semantics, audited). */
export async function updateZiti<K extends ZitiKind>(
  ctx: DomainContext,
  kind: K,
  id: string,
  input: ZitiInput<K>,
): Promise<void> {
  const a = adapter(kind);
  await getZiti(ctx, kind, id);
  await a.check?.(ctx, input, id);
  await commitNamed(
    ctx,
    kind,
    "update",
    id,
    input,
    ctx.db
      .update(a.table)
      .set({ ...a.toValues(input), updatedAt: ctx.now() } as never)
      .where(where(a, id)),
  );
}

/** Deletes an entity (audited); 409 when something still references it (a config type with configs). */
export async function deleteZiti(ctx: DomainContext, kind: ZitiKind, id: string): Promise<void> {
  const a = adapter(kind);
  await getZiti(ctx, kind, id);
  try {
    await commitAudited(ctx, [ctx.db.delete(a.table).where(where(a, id))], {
      action: `ziti.${kind}.delete`,
      targetType: `ziti.${kind}`,
      targetId: id,
    });
  } catch (err) {
    if (referenced(err)) throw new DomainError("common.conflict", "The entity is still referenced");
    throw err;
  }
}

/** Sets the Ziti role attributes of a user, service account or host identity (audited). */
export async function setIdentityRoleAttributes(
  ctx: DomainContext,
  id: string,
  roleAttributes: string[],
): Promise<void> {
  const found = await ctx.db.select({ id: identities.id }).from(identities).where(eq(identities.id, id)).get();
  if (!found) throw new DomainError("common.not_found", "Identity not found");
  await commitAudited(
    ctx,
    [ctx.db.update(identities).set({ roleAttributes, updatedAt: ctx.now() }).where(eq(identities.id, id))],
    { action: "ziti.identity.role_attributes", targetType: "identity", targetId: id, detail: { roleAttributes } },
  );
}
