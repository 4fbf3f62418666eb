import { sha256Hex } from "@fleetgate/auth";
import { eq } from "drizzle-orm";
import type { ApiSessionRow } from "../identity/api-sessions.service";
import { zitiServiceUpdates } from "../schema";
import type { DomainContext } from "../shared/context";
import { grantingPolicies, type PolicyType, postureByPolicy, routersFor, sessionRouters } from "./policy";
import { evaluatePosture, type PostureResult } from "./posture";
import {
  configsById,
  identitySubject,
  loadZitiModel,
  postureResponses,
  resolveConfigTypes,
  type ZitiEdgeRouterRow,
  type ZitiModel,
  type ZitiPostureCheckRow,
  type ZitiServiceRow,
} from "./ziti-model.query";

export interface PostureQueryView {
  id: string;
  queryType: string;
  isPassing: boolean;
  timeout: number;
  timeoutRemaining: number;
  check: ZitiPostureCheckRow;
}

export interface PolicyPostureView {
  policyId: string;
  policyType: PolicyType;
  isPassing: boolean;
  postureQueries: PostureQueryView[];
}

/** A service as one identity sees it through one API session. */
export interface ServiceView {
  service: ZitiServiceRow;
  permissions: PolicyType[];
  config: Record<string, Record<string, unknown>>;
  postureQueries: PolicyPostureView[];
}

/** Edge routers are online when marked so and heard from within this window (or never heartbeat-managed). */
export const ROUTER_HEARTBEAT_MS = 90_000;

export function routerOnline(r: ZitiEdgeRouterRow, now: number): boolean {
  if (!r.isOnline || r.disabled) return false;
  return r.lastHeartbeatAt === null || now - r.lastHeartbeatAt <= ROUTER_HEARTBEAT_MS;
}

interface AccessContext {
  model: ZitiModel;
  subject: { id: string; roleAttributes: readonly string[] };
  results: Map<string, PostureResult>;
}

async function accessContext(ctx: DomainContext, session: ApiSessionRow): Promise<AccessContext> {
  const [model, subject, responses] = await Promise.all([
    loadZitiModel(ctx),
    identitySubject(ctx, session.identityId),
    postureResponses(ctx, session.id),
  ]);
  const posture = {
    mfaAt: session.mfaRequired && session.mfaComplete ? session.updatedAt : null,
    now: ctx.now(),
  };
  const results = new Map<string, PostureResult>();
  for (const check of model.postureChecks) {
    results.set(
      check.id,
      evaluatePosture({ id: check.id, typeId: check.typeId, params: check.params }, responses, posture),
    );
  }
  return { model, subject, results };
}

function viewOf(ac: AccessContext, service: ZitiServiceRow): Omit<ServiceView, "config"> | undefined {
  const granted = grantingPolicies(ac.subject, service, ac.model.servicePolicies);
  if (granted.permissions.length === 0) return undefined;
  const checks = ac.model.postureChecks.map((c) => ({ ...c, roleAttributes: c.roleAttributes }));
  const posture = postureByPolicy(granted.policies, checks, (c) => ac.results.get(c.id)?.isPassing === true);
  return {
    service,
    permissions: granted.permissions,
    postureQueries: posture.map((p) => ({
      policyId: p.policy.id,
      policyType: p.policy.type,
      isPassing: p.isPassing,
      postureQueries: p.checks.map((c) => {
        const r = ac.results.get(c.id) ?? { isPassing: false, timeout: -1, timeoutRemaining: -1 };
        return {
          id: c.id,
          queryType: c.typeId,
          isPassing: r.isPassing,
          timeout: r.timeout,
          timeoutRemaining: r.timeoutRemaining,
          check: c,
        };
      }),
    })),
  };
}

/**
 * The services this API session's identity may Dial or Bind, with permissions,
 * the configs of the requested types and posture per granting policy.
 * `configTypes` overrides the session's own list (names or ids; `all`).
 */
export async function servicesFor(
  ctx: DomainContext,
  session: ApiSessionRow,
  opts: { configTypes?: string[] } = {},
): Promise<ServiceView[]> {
  const ac = await accessContext(ctx, session);
  const views = ac.model.services
    .map((s) => viewOf(ac, s))
    .filter((v): v is Omit<ServiceView, "config"> => v !== undefined)
    .sort((a, b) => (a.service.name < b.service.name ? -1 : a.service.name > b.service.name ? 1 : 0));
  const wanted = await resolveConfigTypes(ctx, opts.configTypes ?? session.configTypes);
  const configs = await configsById(ctx, [...new Set(views.flatMap((v) => v.service.configs))]);
  return views.map((v) => {
    const config: Record<string, Record<string, unknown>> = {};
    for (const id of v.service.configs) {
      const c = configs.get(id);
      if (c && (wanted === "all" || wanted.includes(c.configTypeId))) config[c.typeName] = c.data;
    }
    return { ...v, config };
  });
}

/** One visible service, or undefined (invisible services are indistinguishable from missing ones). */
export async function serviceFor(
  ctx: DomainContext,
  session: ApiSessionRow,
  serviceId: string,
  configTypes?: string[],
) {
  const all = await servicesFor(ctx, session, configTypes ? { configTypes } : {});
  return all.find((v) => v.service.id === serviceId);
}

/** Edge routers the identity may connect to (edge-router policies), with their online state. */
export async function identityEdgeRouters(ctx: DomainContext, session: ApiSessionRow) {
  const ac = await accessContext(ctx, session);
  return routersFor(ac.subject, ac.model.routers, ac.model.edgeRouterPolicies).map((r) => ({
    router: r,
    isOnline: routerOnline(r, ctx.now()),
  }));
}

/** Edge routers that can carry `service` for this identity (both policies), online or not. */
export async function serviceEdgeRouters(ctx: DomainContext, session: ApiSessionRow, service: ZitiServiceRow) {
  const ac = await accessContext(ctx, session);
  return sessionRouters(
    ac.subject,
    service,
    ac.model.routers,
    ac.model.edgeRouterPolicies,
    ac.model.serviceEdgeRouterPolicies,
  ).map((r) => ({ router: r, isOnline: routerOnline(r, ctx.now()) }));
}

/** Whether some granting policy of `type` passes its posture checks for this service. */
export function postureAllows(view: ServiceView, type: PolicyType): boolean {
  return view.postureQueries.some((p) => p.policyType === type && p.isPassing);
}

/**
 * `lastChangeAt` for GET /current-api-session/service-updates: the time the
 * identity's service list (ids, permissions, configs, posture results) was
 * last seen to change for this API session. Unchanged lists keep the old time.
 */
export async function serviceUpdates(ctx: DomainContext, session: ApiSessionRow): Promise<number> {
  const views = await servicesFor(ctx, session);
  const shape = views.map((v) => [
    v.service.id,
    v.service.updatedAt,
    v.permissions,
    v.config,
    v.postureQueries.map((p) => [p.policyId, p.isPassing, p.postureQueries.map((q) => [q.id, q.isPassing])]),
  ]);
  const fingerprint = await sha256Hex(JSON.stringify(shape));
  const row = await ctx.db
    .select()
    .from(zitiServiceUpdates)
    .where(eq(zitiServiceUpdates.apiSessionId, session.id))
    .get();
  if (row?.fingerprint === fingerprint) return row.lastChangeAt;
  // First look: the list is as it was when the session started; later: it changed now.
  const lastChangeAt = row ? ctx.now() : session.createdAt;
  await ctx.db
    .insert(zitiServiceUpdates)
    .values({ apiSessionId: session.id, fingerprint, lastChangeAt })
    .onConflictDoUpdate({ target: zitiServiceUpdates.apiSessionId, set: { fingerprint, lastChangeAt } })
    .run();
  return lastChangeAt;
}
