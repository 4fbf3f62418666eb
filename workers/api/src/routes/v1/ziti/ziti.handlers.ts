import type { ZitiInput, ZitiKind } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type {
  kindRoutes,
  setAuthPolicy as setAuthPolicyRoute,
  setRoleAttributes as setRoleAttributesRoute,
} from "./ziti.routes";

/** Renders an entity's timestamps as RFC 3339, as the Ziti management API does. */
function entity(row: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...row };
  if (typeof out.lastHeartbeatAt === "number") out.lastHeartbeatAt = new Date(out.lastHeartbeatAt).toISOString();
  return {
    ...out,
    id: String(row.id),
    createdAt: new Date(Number(row.createdAt)).toISOString(),
    updatedAt: new Date(Number(row.updatedAt)).toISOString(),
  };
}

type KindRoutes<K extends ZitiKind> = ReturnType<typeof kindRoutes<K>>;

/** The five handlers of one managed kind, each typed by its route. */
export function kindHandlers<K extends ZitiKind>(kind: K) {
  const list: RouteHandler<KindRoutes<K>["list"], AppEnv> = async (c) =>
    c.json((await svc.listZiti(await domain(c), kind)).map(entity), 200);

  const create: RouteHandler<KindRoutes<K>["create"], AppEnv> = async (c) => {
    const id = await svc.createZiti(await domain(c), kind, c.req.valid("json") as ZitiInput<K>);
    return c.json({ id, message: "Created" }, 201);
  };

  const get: RouteHandler<KindRoutes<K>["get"], AppEnv> = async (c) =>
    c.json(entity(await svc.getZiti(await domain(c), kind, c.req.valid("param").id)), 200);

  const update: RouteHandler<KindRoutes<K>["update"], AppEnv> = async (c) => {
    await svc.updateZiti(await domain(c), kind, c.req.valid("param").id, c.req.valid("json") as ZitiInput<K>);
    return c.json({ message: "Updated" }, 200);
  };

  const remove: RouteHandler<KindRoutes<K>["remove"], AppEnv> = async (c) => {
    await svc.deleteZiti(await domain(c), kind, c.req.valid("param").id);
    return c.json({ message: "Deleted" }, 200);
  };

  return { list, create, get, update, remove };
}

export const setRoleAttributes: RouteHandler<typeof setRoleAttributesRoute, AppEnv> = async (c) => {
  await svc.setIdentityRoleAttributes(await domain(c), c.req.valid("param").id, c.req.valid("json").roleAttributes);
  return c.json({ message: "Role attributes updated" }, 200);
};

export const setAuthPolicy: RouteHandler<typeof setAuthPolicyRoute, AppEnv> = async (c) => {
  await svc.setIdentityAuthPolicy(await domain(c), c.req.valid("param").id, c.req.valid("json").authPolicyId);
  return c.json({ message: "Auth policy updated" }, 200);
};
