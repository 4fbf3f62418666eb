import {
  controllerInfo,
  identityEdgeRouters,
  serviceUpdates,
  submitPostureResponses,
  type ZqlFields,
} from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import { baseEntity, baseUrl, link, zitiTime } from "../envelope";
import { pageInMemory, zitiListQuery } from "../list-query";
import { edgeRouterProps } from "../services/services.handlers";
import { currentSession } from "../ziti-auth";
import type {
  createPostureResponse,
  createPostureResponseBulk,
  getCurrentIdentityEdgeRouters,
  listControllers,
  listServiceUpdates,
} from "./network.routes";

interface Controller {
  id: string;
  name: string;
  isOnline: boolean;
  createdAt: number;
  updatedAt: number;
}
const CONTROLLER_FIELDS: ZqlFields<Controller> = {
  id: { kind: "scalar", type: "string", sql: "id", get: (c) => c.id },
  name: { kind: "scalar", type: "string", sql: "name", get: (c) => c.name },
  isOnline: { kind: "scalar", type: "bool", sql: "is_online", get: (c) => c.isOnline },
};

/** This deployment is the network's only controller; it is online by definition when it answers. */
export const controllers: RouteHandler<typeof listControllers, AppEnv> = async (c) => {
  const { paging, zql } = zitiListQuery(c.req.valid("query"));
  const ctx = await domain(c);
  const info = await controllerInfo(ctx);
  const base = baseUrl(c.env.PUBLIC_URL, c.req.url);
  const host = new URL(base).host;
  const now = ctx.now();
  const self: Controller = { id: info.id, name: host, isOnline: true, createdAt: now, updatedAt: now };
  const page = pageInMemory([self], zql, CONTROLLER_FIELDS, paging);
  return c.json(
    {
      data: page.items.map((x) => ({
        ...baseEntity(x.id, x.createdAt, x.updatedAt, { self: link(`./controllers/${x.id}`) }),
        name: x.name,
        ctrlAddress: null,
        certPem: info.certPem,
        fingerprint: info.fingerprint,
        isOnline: true,
        lastJoinedAt: zitiTime(now),
        apiAddresses: {
          "edge-client": [{ url: `${base}/edge/client/v1`, version: "v1" }],
        },
      })),
      meta: page.meta,
    },
    200,
  );
};

export const identityRouters: RouteHandler<typeof getCurrentIdentityEdgeRouters, AppEnv> = async (c) => {
  const routers = await identityEdgeRouters(await domain(c), currentSession(c).row);
  return c.json(
    {
      data: routers.map(({ router, isOnline }) => ({
        ...baseEntity(router.id, router.createdAt, router.updatedAt, { self: link(`./edge-routers/${router.id}`) }),
        tags: router.tags,
        ...edgeRouterProps(router, isOnline),
      })),
      meta: { pagination: { limit: routers.length, offset: 0, totalCount: routers.length }, filterableFields: [] },
    },
    200,
  );
};

export const updates: RouteHandler<typeof listServiceUpdates, AppEnv> = async (c) => {
  const at = await serviceUpdates(await domain(c), currentSession(c).row);
  return c.json({ data: { lastChangeAt: zitiTime(at) }, meta: {} }, 200);
};

export const postureResponse: RouteHandler<typeof createPostureResponse, AppEnv> = async (c) => {
  const services = await submitPostureResponses(await domain(c), currentSession(c).row, [c.req.valid("json")]);
  return c.json({ data: { services }, meta: {} }, 201);
};

export const postureResponseBulk: RouteHandler<typeof createPostureResponseBulk, AppEnv> = async (c) => {
  const services = await submitPostureResponses(await domain(c), currentSession(c).row, c.req.valid("json"));
  return c.json({ data: { services }, meta: {} }, 200);
};
