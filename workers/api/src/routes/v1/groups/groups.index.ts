import {
  Created,
  CreateGroupRequest,
  errorResponses,
  Group,
  GroupDetail,
  GroupMemberParams,
  IdParam,
  iso,
  json,
  jsonBody,
  Message,
  UpdateGroupRequest,
} from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { z } from "@hono/zod-openapi";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { protectedRoute } from "../route";

const tags = ["Groups"];
const P = "/groups";
const groupBody = (g: svc.GroupRow) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  created_at: iso(g.createdAt),
  updated_at: iso(g.updatedAt),
});

const list = protectedRoute(P, "read", {
  method: "get",
  path: "",
  tags,
  summary: "All groups",
  responses: { 200: json(z.array(Group)), ...errorResponses(401, 403) },
});
const create = protectedRoute(P, "admin", {
  method: "post",
  path: "",
  tags,
  summary: "Create a group",
  request: { body: jsonBody(CreateGroupRequest) },
  responses: { 200: json(Created), ...errorResponses(400, 401, 403, 409) },
});
const get = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}",
  tags,
  summary: "A group with its host and user counts",
  request: { params: IdParam },
  responses: { 200: json(GroupDetail), ...errorResponses(400, 401, 403, 404) },
});
const update = protectedRoute(P, "admin", {
  method: "put",
  path: "/{id}",
  tags,
  summary: "Rename or describe a group",
  request: { params: IdParam, body: jsonBody(UpdateGroupRequest) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404, 409) },
});
const remove = protectedRoute(P, "admin", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Delete a group",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
const addMember = protectedRoute(P, "admin", {
  method: "post",
  path: "/{id}/users/{user_id}",
  tags,
  summary: "Add a user to a group",
  request: { params: GroupMemberParams },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
const removeMember = protectedRoute(P, "admin", {
  method: "delete",
  path: "/{id}/users/{user_id}",
  tags,
  summary: "Remove a user from a group",
  request: { params: GroupMemberParams },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});

export const groupsRouter = createRouter()
  .openapi(list, async (c) => c.json((await svc.listGroups(await domain(c))).map(groupBody), 200))
  .openapi(create, async (c) => {
    const id = await svc.createGroup(await domain(c), c.req.valid("json"));
    return c.json({ id, message: "Group created" }, 200);
  })
  .openapi(get, async (c) => {
    const d = await svc.getGroup(await domain(c), c.req.valid("param").id);
    return c.json({ group: groupBody(d.group), host_count: d.hostCount, user_count: d.userCount }, 200);
  })
  .openapi(update, async (c) => {
    await svc.updateGroup(await domain(c), c.req.valid("param").id, c.req.valid("json"));
    return c.json({ message: "Group updated" }, 200);
  })
  .openapi(remove, async (c) => {
    await svc.deleteGroup(await domain(c), c.req.valid("param").id);
    return c.json({ message: "Group deleted" }, 200);
  })
  .openapi(addMember, async (c) => {
    const p = c.req.valid("param");
    await svc.addGroupMember(await domain(c), p.id, p.user_id);
    return c.json({ message: "User added to group" }, 200);
  })
  .openapi(removeMember, async (c) => {
    const p = c.req.valid("param");
    await svc.removeGroupMember(await domain(c), p.id, p.user_id);
    return c.json({ message: "User removed from group" }, 200);
  });
