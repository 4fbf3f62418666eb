import { iso } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./groups.routes";

/** A group as the native face renders it (also in a host's group list). */
export const groupBody = (g: svc.GroupRow) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  created_at: iso(g.createdAt),
  updated_at: iso(g.updatedAt),
});

export const list: RouteHandler<typeof r.list, AppEnv> = async (c) =>
  c.json((await svc.listGroups(await domain(c))).map(groupBody), 200);

export const create: RouteHandler<typeof r.create, AppEnv> = async (c) => {
  const id = await svc.createGroup(await domain(c), c.req.valid("json"));
  return c.json({ id, message: "Group created" }, 200);
};

export const get: RouteHandler<typeof r.get, AppEnv> = async (c) => {
  const d = await svc.getGroup(await domain(c), c.req.valid("param").id);
  return c.json({ group: groupBody(d.group), host_count: d.hostCount, user_count: d.userCount }, 200);
};

export const update: RouteHandler<typeof r.update, AppEnv> = async (c) => {
  await svc.updateGroup(await domain(c), c.req.valid("param").id, c.req.valid("json"));
  return c.json({ message: "Group updated" }, 200);
};

export const remove: RouteHandler<typeof r.remove, AppEnv> = async (c) => {
  await svc.deleteGroup(await domain(c), c.req.valid("param").id);
  return c.json({ message: "Group deleted" }, 200);
};

export const addMember: RouteHandler<typeof r.addMember, AppEnv> = async (c) => {
  const p = c.req.valid("param");
  await svc.addGroupMember(await domain(c), p.id, p.user_id);
  return c.json({ message: "User added to group" }, 200);
};

export const removeMember: RouteHandler<typeof r.removeMember, AppEnv> = async (c) => {
  const p = c.req.valid("param");
  await svc.removeGroupMember(await domain(c), p.id, p.user_id);
  return c.json({ message: "User removed from group" }, 200);
};
