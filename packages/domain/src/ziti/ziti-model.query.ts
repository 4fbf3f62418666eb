import { eq, inArray } from "drizzle-orm";
import {
  identities,
  zitiConfigs,
  zitiConfigTypes,
  zitiEdgeRouters,
  zitiPostureChecks,
  zitiPostureResponses,
  zitiRouterPolicies,
  zitiServicePolicies,
  zitiServices,
} from "../schema";
import type { DomainContext } from "../shared/context";
import type { RouterPolicy, ServicePolicy } from "./policy";

export type ZitiServiceRow = typeof zitiServices.$inferSelect;
export type ZitiEdgeRouterRow = typeof zitiEdgeRouters.$inferSelect;
export type ZitiPostureCheckRow = typeof zitiPostureChecks.$inferSelect;
export type ZitiConfigRow = typeof zitiConfigs.$inferSelect;
export type ZitiConfigTypeRow = typeof zitiConfigTypes.$inferSelect;
export type ZitiPostureResponseRow = typeof zitiPostureResponses.$inferSelect;

/** Everything policy evaluation needs, read in one D1 batch. The model is small (policies, not hosts). */
export interface ZitiModel {
  services: ZitiServiceRow[];
  servicePolicies: ServicePolicy[];
  routers: ZitiEdgeRouterRow[];
  edgeRouterPolicies: RouterPolicy[];
  serviceEdgeRouterPolicies: RouterPolicy[];
  postureChecks: ZitiPostureCheckRow[];
}

/** Reads the policy model. */
export async function loadZitiModel(ctx: DomainContext): Promise<ZitiModel> {
  const [services, policies, routers, routerPolicies, postureChecks] = await ctx.db.batch([
    ctx.db.select().from(zitiServices),
    ctx.db.select().from(zitiServicePolicies),
    ctx.db.select().from(zitiEdgeRouters),
    ctx.db.select().from(zitiRouterPolicies),
    ctx.db.select().from(zitiPostureChecks),
  ]);
  const toRouterPolicy = (p: (typeof routerPolicies)[number]): RouterPolicy => ({
    semantic: p.semantic,
    subjectRoles: p.subjectRoles,
    edgeRouterRoles: p.edgeRouterRoles,
  });
  return {
    services,
    servicePolicies: policies.map((p) => ({
      id: p.id,
      type: p.type,
      semantic: p.semantic,
      identityRoles: p.identityRoles,
      serviceRoles: p.serviceRoles,
      postureCheckRoles: p.postureCheckRoles,
    })),
    routers,
    edgeRouterPolicies: routerPolicies.filter((p) => p.kind === "edge-router").map(toRouterPolicy),
    serviceEdgeRouterPolicies: routerPolicies.filter((p) => p.kind === "service-edge-router").map(toRouterPolicy),
    postureChecks,
  };
}

/** The identity as a policy subject (id + role attributes). */
export async function identitySubject(ctx: DomainContext, identityId: string) {
  const row = await ctx.db
    .select({ id: identities.id, roleAttributes: identities.roleAttributes })
    .from(identities)
    .where(eq(identities.id, identityId))
    .get();
  return row ?? { id: identityId, roleAttributes: [] };
}

/** Configs by id, with their type names (for the `config` map of a service). */
export async function configsById(ctx: DomainContext, ids: string[]) {
  if (ids.length === 0) return new Map<string, ZitiConfigRow & { typeName: string }>();
  const rows = await ctx.db
    .select({ config: zitiConfigs, typeName: zitiConfigTypes.name })
    .from(zitiConfigs)
    .innerJoin(zitiConfigTypes, eq(zitiConfigTypes.id, zitiConfigs.configTypeId))
    .where(inArray(zitiConfigs.id, ids))
    .all();
  return new Map(rows.map((r) => [r.config.id, { ...r.config, typeName: r.typeName }]));
}

/** Resolves config type names or ids (and `all`) to ids; unknown names are dropped, as the controller does. */
export async function resolveConfigTypes(ctx: DomainContext, requested: readonly string[]): Promise<string[] | "all"> {
  if (requested.some((r) => r === "all")) return "all";
  if (requested.length === 0) return [];
  const types = await ctx.db.select({ id: zitiConfigTypes.id, name: zitiConfigTypes.name }).from(zitiConfigTypes);
  const ids = new Set<string>();
  for (const r of requested) for (const t of types) if (t.id === r || t.name === r) ids.add(t.id);
  return [...ids];
}

/**
 * What an API session stores as its `configTypes` (and reports back): the
 * requested names or ids resolved to config-type ids, unknown ones dropped,
 * or `["all"]` when `all` was asked for (every type, including later ones).
 */
export async function sessionConfigTypes(ctx: DomainContext, requested: readonly string[] | null | undefined) {
  const resolved = await resolveConfigTypes(ctx, [...new Set(requested ?? [])]);
  return resolved === "all" ? ["all"] : resolved;
}

/** The posture responses an API session has sent. */
export async function postureResponses(ctx: DomainContext, apiSessionId: string): Promise<ZitiPostureResponseRow[]> {
  return ctx.db.select().from(zitiPostureResponses).where(eq(zitiPostureResponses.apiSessionId, apiSessionId)).all();
}
