import { signJwt } from "@fleetgate/auth";
import { and, asc, eq } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import type { ApiSessionRow } from "../identity/api-sessions.service";
import { activeSigningKey } from "../identity/signing-keys.service";
import { zitiServices, zitiSessions } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { type PolicyType, sessionRouters } from "./policy";
import { postureAllows, routerOnline, serviceEdgeRouters, serviceFor } from "./service-access.service";
import { identitySubject, loadZitiModel } from "./ziti-model.query";

export type ZitiSessionRow = typeof zitiSessions.$inferSelect;

/** Session tokens are short JWTs an edge proxy verifies offline against /.well-known/jwks.json. */
export const ZITI_SESSION_TOKEN_TTL = 30 * 60;
export const zitiSessionAudience = (issuer: string) => `${issuer}/edge/client/v1/sessions`;

/** Signs (or re-signs) a session's token: `sub` identity, `sid` session, `svc` service, `typ` Dial|Bind. */
export async function sessionToken(ctx: DomainContext, s: ZitiSessionRow): Promise<string> {
  const key = await activeSigningKey(ctx);
  return signJwt(
    key.privateJwk,
    key.kid,
    key.alg,
    { sid: s.id, svc: s.serviceId, typ: s.type, asid: s.apiSessionId },
    {
      issuer: ctx.issuer,
      audience: zitiSessionAudience(ctx.issuer),
      subject: s.identityId,
      ttlSeconds: ZITI_SESSION_TOKEN_TTL,
      jti: s.id,
      now: ctx.now(),
    },
  );
}

/**
 * POST /sessions: the identity must hold the permission through a policy whose
 * posture checks pass, and at least one online edge router must carry the
 * service for it (OpenZiti's checks, in that order).
 */
export async function createZitiSession(
  ctx: DomainContext,
  apiSession: ApiSessionRow,
  input: { serviceId: string; type: PolicyType; tags: Record<string, unknown> },
) {
  const view = await serviceFor(ctx, apiSession, input.serviceId);
  if (!view || !view.permissions.includes(input.type)) throw new DomainError("common.not_found", "service not found");
  if (!postureAllows(view, input.type)) {
    const failing = view.postureQueries
      .filter((p) => p.policyType === input.type)
      .flatMap((p) => p.postureQueries.filter((q) => !q.isPassing))
      .map((q) => ({ id: q.id, queryType: q.queryType }));
    throw new DomainError("ziti.invalid_posture", { details: { serviceId: input.serviceId, failing } });
  }
  const routers = (await serviceEdgeRouters(ctx, apiSession, view.service)).filter((r) => r.isOnline);
  if (routers.length === 0) throw new DomainError("ziti.no_edge_routers");
  const now = ctx.now();
  const row: ZitiSessionRow = {
    id: newId(),
    type: input.type,
    serviceId: input.serviceId,
    apiSessionId: apiSession.id,
    identityId: apiSession.identityId,
    tags: input.tags,
    createdAt: now,
    updatedAt: now,
  };
  await commitAudited(ctx, [ctx.db.insert(zitiSessions).values(row)], {
    action: "ziti.session.create",
    targetType: "ziti.service",
    targetId: input.serviceId,
    detail: { type: input.type, session: row.id },
  });
  return {
    session: row,
    service: view.service,
    routers: routers.map((r) => r.router),
    token: await sessionToken(ctx, row),
  };
}

/** The sessions of this API session, oldest first. */
export async function listZitiSessions(ctx: DomainContext, apiSession: ApiSessionRow): Promise<ZitiSessionRow[]> {
  return ctx.db
    .select()
    .from(zitiSessions)
    .where(eq(zitiSessions.apiSessionId, apiSession.id))
    .orderBy(asc(zitiSessions.createdAt))
    .all();
}

/** One own session (others' are not found). */
export async function getZitiSession(
  ctx: DomainContext,
  apiSession: ApiSessionRow,
  id: string,
): Promise<ZitiSessionRow> {
  const row = await ctx.db
    .select()
    .from(zitiSessions)
    .where(and(eq(zitiSessions.id, id), eq(zitiSessions.apiSessionId, apiSession.id)))
    .get();
  if (!row) throw new DomainError("common.not_found");
  return row;
}

/** DELETE /sessions/{id} (audited). */
export async function deleteZitiSession(ctx: DomainContext, apiSession: ApiSessionRow, id: string): Promise<void> {
  const row = await getZitiSession(ctx, apiSession, id);
  await commitAudited(ctx, [ctx.db.delete(zitiSessions).where(eq(zitiSessions.id, row.id))], {
    action: "ziti.session.delete",
    targetType: "ziti.service",
    targetId: row.serviceId,
    detail: { session: row.id },
  });
}

/**
 * Terminators of a service as this control plane knows them: every open Bind
 * session of the service, on each online router that can carry it for the
 * binding identity (the data plane that creates real terminators is outside
 * Fleetgate; docs/ziti.md).
 */
export async function serviceTerminators(ctx: DomainContext, service: { id: string; roleAttributes: string[] }) {
  const binds = await ctx.db
    .select()
    .from(zitiSessions)
    .where(and(eq(zitiSessions.serviceId, service.id), eq(zitiSessions.type, "Bind")))
    .orderBy(asc(zitiSessions.createdAt))
    .all();
  if (binds.length === 0) return [];
  const model = await loadZitiModel(ctx);
  const out = [];
  for (const b of binds) {
    const subject = await identitySubject(ctx, b.identityId);
    const routers = sessionRouters(
      subject,
      service,
      model.routers,
      model.edgeRouterPolicies,
      model.serviceEdgeRouterPolicies,
    );
    for (const r of routers.filter((x) => routerOnline(x, ctx.now())))
      out.push({
        id: `${b.id}.${r.id}`,
        serviceId: service.id,
        routerId: r.id,
        identityId: b.identityId,
        createdAt: b.createdAt,
        updatedAt: b.updatedAt,
      });
  }
  return out;
}

/** A session with what its detail shows: the service, the online routers that carry it for this identity, a fresh token. */
export async function describeZitiSession(ctx: DomainContext, apiSession: ApiSessionRow, row: ZitiSessionRow) {
  const service = await ctx.db.select().from(zitiServices).where(eq(zitiServices.id, row.serviceId)).get();
  const routers = service ? (await serviceEdgeRouters(ctx, apiSession, service)).filter((r) => r.isOnline) : [];
  return {
    session: row,
    serviceName: service?.name ?? "",
    routers: routers.map((r) => r.router),
    token: await sessionToken(ctx, row),
  };
}
