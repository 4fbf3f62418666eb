import {
  Created,
  CreateGroupRequest,
  errorResponses,
  Group,
  GroupDetail,
  GroupMemberParams,
  IdParam,
  json,
  jsonBody,
  Message,
  UpdateGroupRequest,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Groups"];
const P = "/groups";

export const list = protectedRoute(P, "read", {
  method: "get",
  path: "",
  tags,
  summary: "All groups",
  responses: { 200: json(z.array(Group)), ...errorResponses(401, 403) },
});
export const create = protectedRoute(P, "admin", {
  method: "post",
  path: "",
  tags,
  summary: "Create a group",
  request: { body: jsonBody(CreateGroupRequest) },
  responses: { 200: json(Created), ...errorResponses(400, 401, 403, 409) },
});
export const get = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}",
  tags,
  summary: "A group with its host and user counts",
  request: { params: IdParam },
  responses: { 200: json(GroupDetail), ...errorResponses(400, 401, 403, 404) },
});
export const update = protectedRoute(P, "admin", {
  method: "put",
  path: "/{id}",
  tags,
  summary: "Rename or describe a group",
  request: { params: IdParam, body: jsonBody(UpdateGroupRequest) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404, 409) },
});
export const remove = protectedRoute(P, "admin", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Delete a group",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const addMember = protectedRoute(P, "admin", {
  method: "post",
  path: "/{id}/users/{user_id}",
  tags,
  summary: "Add a user to a group",
  request: { params: GroupMemberParams },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const removeMember = protectedRoute(P, "admin", {
  method: "delete",
  path: "/{id}/users/{user_id}",
  tags,
  summary: "Remove a user from a group",
  request: { params: GroupMemberParams },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
