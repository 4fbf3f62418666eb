import {
  createZitiSession,
  deleteZitiSession,
  describeZitiSession,
  getZitiSession,
  listZitiSessions,
  type ZitiSessionRow,
  type ZqlFields,
} from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { baseEntity, EMPTY, entityRef, link } from "../envelope";
import { baseFields, pageInMemory, zitiListQuery } from "../list-query";
import { edgeRouterProps } from "../services/services.handlers";
import { currentSession } from "../ziti-auth";
import type { createSession, deleteSession, detailSession, listSessions } from "./sessions.routes";

const SESSION_FIELDS: ZqlFields<ZitiSessionRow> = {
  ...baseFields<ZitiSessionRow>(),
  type: { kind: "scalar", type: "string", sql: "type", get: (s) => s.type },
  serviceId: { kind: "scalar", type: "string", sql: "service_id", get: (s) => s.serviceId },
  apiSessionId: { kind: "scalar", type: "string", sql: "api_session_id", get: (s) => s.apiSessionId },
  identityId: { kind: "scalar", type: "string", sql: "identity_id", get: (s) => s.identityId },
  tags: { kind: "map", sql: "tags", get: (s) => s.tags },
};

type Described = Awaited<ReturnType<typeof describeZitiSession>>;

/** `sessionDetail`; the token is re-signed on every read, so nothing secret is stored. */
function sessionDetail(d: Described) {
  const s = d.session;
  return {
    ...baseEntity(s.id, s.createdAt, s.updatedAt, { self: link(`./sessions/${s.id}`) }),
    tags: s.tags,
    type: s.type,
    apiSessionId: s.apiSessionId,
    apiSession: entityRef("api-sessions", s.apiSessionId, s.apiSessionId),
    serviceId: s.serviceId,
    service: entityRef("services", s.serviceId, d.serviceName),
    identityId: s.identityId,
    token: d.token,
    edgeRouters: d.routers.map((r) => ({ ...edgeRouterProps(r, true), urls: r.supportedProtocols })),
  };
}

export const list: RouteHandler<typeof listSessions, AppEnv> = async (c) => {
  const { paging, zql } = zitiListQuery(c.req.valid("query"));
  const ctx = await domain(c);
  const apiSession = currentSession(c).row;
  const page = pageInMemory(await listZitiSessions(ctx, apiSession), zql, SESSION_FIELDS, paging);
  const data = [];
  for (const row of page.items) data.push(sessionDetail(await describeZitiSession(ctx, apiSession, row)));
  return c.json({ data, meta: page.meta }, 200);
};

export const create: RouteHandler<typeof createSession, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const ctx = await domain(c);
  const res = await createZitiSession(ctx, currentSession(c).row, {
    serviceId: body.serviceId,
    type: body.type,
    tags: body.tags ?? {},
  });
  return c.json(
    {
      data: sessionDetail({
        session: res.session,
        serviceName: res.service.name,
        routers: res.routers,
        token: res.token,
      }),
      meta: {},
    },
    201,
  );
};

export const detail: RouteHandler<typeof detailSession, AppEnv> = async (c) => {
  const ctx = await domain(c);
  const apiSession = currentSession(c).row;
  const row = await getZitiSession(ctx, apiSession, c.req.valid("param").id);
  return c.json({ data: sessionDetail(await describeZitiSession(ctx, apiSession, row)), meta: {} }, 200);
};

export const remove: RouteHandler<typeof deleteSession, AppEnv> = async (c) => {
  await deleteZitiSession(await domain(c), currentSession(c).row, c.req.valid("param").id);
  return c.json(EMPTY, 200);
};
