import { ZitiServiceInput } from "@fleetgate/contract";
import {
  deleteZiti,
  getZiti,
  matchesRoles,
  type Semantic,
  type ServiceView,
  serviceEdgeRouters,
  serviceFor,
  servicesFor,
  serviceTerminators,
  updateZiti,
  type ZitiEdgeRouterRow,
  type ZqlFields,
} from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { baseEntity, EMPTY, entityRef, link } from "../envelope";
import { Z } from "../errors";
import { baseFields, pageInMemory, zitiListQuery } from "../list-query";
import { currentIdentityRow, currentSession } from "../ziti-auth";
import type {
  deleteService,
  detailService,
  listServiceEdgeRouters,
  listServices,
  listServiceTerminators,
  patchService,
  updateService,
} from "./services.routes";

const many = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** What a ZitiQL filter on GET /services can see. */
const SERVICE_FIELDS: ZqlFields<ServiceView> = {
  id: { kind: "scalar", type: "string", sql: "id", get: (v) => v.service.id },
  createdAt: { kind: "scalar", type: "datetime", sql: "created_at", get: (v) => v.service.createdAt },
  updatedAt: { kind: "scalar", type: "datetime", sql: "updated_at", get: (v) => v.service.updatedAt },
  name: { kind: "scalar", type: "string", sql: "name", get: (v) => v.service.name },
  terminatorStrategy: {
    kind: "scalar",
    type: "string",
    sql: "terminator_strategy",
    get: (v) => v.service.terminatorStrategy,
  },
  encryptionRequired: {
    kind: "scalar",
    type: "bool",
    sql: "encryption_required",
    get: (v) => v.service.encryptionRequired,
  },
  maxIdleTimeMillis: {
    kind: "scalar",
    type: "number",
    sql: "max_idle_time_millis",
    get: (v) => v.service.maxIdleTimeMillis,
  },
  roleAttributes: { kind: "set", type: "string", sql: "role_attributes", get: (v) => v.service.roleAttributes },
  configs: { kind: "set", type: "string", sql: "configs", get: (v) => v.service.configs },
  permissions: { kind: "set", type: "string", sql: "permissions", get: (v) => v.permissions },
  tags: { kind: "map", sql: "tags", get: (v) => v.service.tags },
};

export function serviceDetail(v: ServiceView) {
  const s = v.service;
  return {
    ...baseEntity(s.id, s.createdAt, s.updatedAt, {
      self: link(`./services/${s.id}`),
      configs: link(`./services/${s.id}/configs`),
      "service-edge-router-policies": link(`./services/${s.id}/service-edge-router-policies`),
      "service-policies": link(`./services/${s.id}/service-policies`),
      terminators: link(`./services/${s.id}/terminators`),
    }),
    tags: s.tags,
    name: s.name,
    terminatorStrategy: s.terminatorStrategy,
    roleAttributes: s.roleAttributes,
    configs: s.configs,
    config: v.config,
    encryptionRequired: s.encryptionRequired,
    maxIdleTimeMillis: s.maxIdleTimeMillis,
    permissions: v.permissions,
    postureQueries: v.postureQueries.map((p) => ({
      policyId: p.policyId,
      policyType: p.policyType,
      isPassing: p.isPassing,
      postureQueries: p.postureQueries.map((q) => ({
        ...baseEntity(q.check.id, q.check.createdAt, q.check.updatedAt, {
          self: link(`./posture-checks/${q.check.id}`),
        }),
        queryType: q.queryType,
        isPassing: q.isPassing,
        timeout: q.timeout,
        timeoutRemaining: q.timeoutRemaining,
        ...(q.queryType === "PROCESS" ? { process: processQuery(q.check.params.process) } : {}),
        ...(q.queryType === "PROCESS_MULTI"
          ? { processes: ((q.check.params.processes as unknown[]) ?? []).map(processQuery) }
          : {}),
      })),
    })),
  };
}

function processQuery(p: unknown) {
  const o = (p ?? {}) as Record<string, unknown>;
  return { osType: o.osType, path: o.path };
}

/** `commonEdgeRouterProperties` of one router. */
export function edgeRouterProps(r: ZitiEdgeRouterRow, isOnline: boolean) {
  return {
    name: r.name,
    hostname: r.hostname,
    isOnline,
    supportedProtocols: r.supportedProtocols,
    syncStatus: isOnline ? "SYNC_DONE" : "SYNC_UNKNOWN",
    cost: r.cost,
    noTraversal: r.noTraversal,
    disabled: r.disabled,
    appData: r.appData,
  };
}

export const list: RouteHandler<typeof listServices, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const { paging, zql } = zitiListQuery(q);
  const ctx = await domain(c);
  const configTypes = many(q.configTypes).flatMap((t) => t.split(","));
  let views = await servicesFor(ctx, currentSession(c).row, configTypes.length > 0 ? { configTypes } : {});
  const roles = many(q.roleFilter);
  if (roles.length > 0) {
    const semantic: Semantic = q.roleSemantic?.toLowerCase() === "anyof" ? "AnyOf" : "AllOf";
    views = views.filter((v) => matchesRoles(v.service, roles, semantic));
  }
  const page = pageInMemory(views, zql, SERVICE_FIELDS, paging);
  return c.json({ data: page.items.map(serviceDetail), meta: page.meta }, 200);
};

export const detail: RouteHandler<typeof detailService, AppEnv> = async (c) => {
  const view = await serviceFor(await domain(c), currentSession(c).row, c.req.valid("param").id);
  if (!view) throw Z.notFound();
  return c.json({ data: serviceDetail(view), meta: {} }, 200);
};

/** Management through the client API is for admins only; anyone else is UNAUTHORIZED, as the controller answers. */
function requireAdmin(c: Parameters<RouteHandler<typeof updateService, AppEnv>>[0]) {
  if (currentIdentityRow(c).role !== "admin") throw Z.unauthorized();
}

export const update: RouteHandler<typeof updateService, AppEnv> = async (c) => {
  requireAdmin(c);
  const ctx = await domain(c);
  const { id } = c.req.valid("param");
  const input = ZitiServiceInput.safeParse(c.req.valid("json"));
  if (!input.success) throw Z.couldNotValidate(null, input.error.issues[0]?.message ?? "invalid service");
  await updateZiti(ctx, "services", id, input.data);
  return c.json(EMPTY, 200);
};

export const patch: RouteHandler<typeof patchService, AppEnv> = async (c) => {
  requireAdmin(c);
  const ctx = await domain(c);
  const { id } = c.req.valid("param");
  const current = await getZiti(ctx, "services", id);
  const merged = ZitiServiceInput.safeParse({
    name: current.name,
    roleAttributes: current.roleAttributes,
    configs: current.configs,
    encryptionRequired: current.encryptionRequired,
    terminatorStrategy: current.terminatorStrategy,
    maxIdleTimeMillis: current.maxIdleTimeMillis,
    tags: current.tags,
    ...c.req.valid("json"),
  });
  if (!merged.success) throw Z.couldNotValidate(null, merged.error.issues[0]?.message ?? "invalid service");
  await updateZiti(ctx, "services", id, merged.data);
  return c.json(EMPTY, 200);
};

export const remove: RouteHandler<typeof deleteService, AppEnv> = async (c) => {
  requireAdmin(c);
  await deleteZiti(await domain(c), "services", c.req.valid("param").id);
  return c.json(EMPTY, 200);
};

export const edgeRouters: RouteHandler<typeof listServiceEdgeRouters, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const session = currentSession(c).row;
  const view = await serviceFor(ctx, session, c.req.valid("param").id);
  if (!view) throw Z.notFound();
  const routers = await serviceEdgeRouters(ctx, session, view.service);
  return c.json(
    {
      data: {
        edgeRouters: routers.map(({ router, isOnline }) => ({
          ...edgeRouterProps(router, isOnline),
          urls: router.supportedProtocols,
        })),
      },
      meta: {},
    },
    200,
  );
};

type Terminator = Awaited<ReturnType<typeof serviceTerminators>>[number];
const TERMINATOR_FIELDS: ZqlFields<Terminator> = {
  ...baseFields<Terminator>(),
  serviceId: { kind: "scalar", type: "string", sql: "service_id", get: (t) => t.serviceId },
  routerId: { kind: "scalar", type: "string", sql: "router_id", get: (t) => t.routerId },
  identity: { kind: "scalar", type: "string", sql: "identity_id", get: (t) => t.identityId },
};

export const terminators: RouteHandler<typeof listServiceTerminators, AppEnv> = async (c) => {
  const { paging, zql } = zitiListQuery(c.req.valid("query"));
  const ctx = await domain(c);
  const view = await serviceFor(ctx, currentSession(c).row, c.req.valid("param").id);
  if (!view) throw Z.notFound();
  const page = pageInMemory(await serviceTerminators(ctx, view.service), zql, TERMINATOR_FIELDS, paging);
  return c.json(
    {
      data: page.items.map((t) => ({
        ...baseEntity(t.id, t.createdAt, t.updatedAt, { self: link(`./terminators/${t.id}`) }),
        serviceId: t.serviceId,
        service: entityRef("services", view.service.id, view.service.name),
        routerId: t.routerId,
        identity: t.identityId,
      })),
      meta: page.meta,
    },
    200,
  );
};
