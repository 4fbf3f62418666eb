import {
  AddHostGroupRequest,
  errorResponses,
  Group,
  HostDetail,
  HostGroupParams,
  HostList,
  HostListQuery,
  HostScript,
  IdParam,
  json,
  jsonBody,
  Message,
  UpdateHostRequest,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Hosts"];
const P = "/hosts";

export const list = protectedRoute(P, "read", {
  method: "get",
  path: "",
  tags,
  summary: "Hosts the caller may see, with filters, sorting and pagination; online state and last seen",
  request: { query: HostListQuery },
  responses: { 200: json(HostList), ...errorResponses(400, 401, 403) },
});
export const get = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}",
  tags,
  summary: "One host",
  request: { params: IdParam },
  responses: { 200: json(HostDetail), ...errorResponses(400, 401, 403, 404) },
});
export const update = protectedRoute(P, "write", {
  method: "put",
  path: "/{id}",
  tags,
  summary: "Edit a host's FQDN, IP address, display name or notes",
  request: { params: IdParam, body: jsonBody(UpdateHostRequest) },
  responses: { 200: json(HostDetail), ...errorResponses(400, 401, 403, 404) },
});
export const remove = protectedRoute(P, "write", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Remove a host: its certificates are revoked and its agent disconnected",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const groupsOf = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}/groups",
  tags,
  summary: "The groups of a host",
  request: { params: IdParam },
  responses: { 200: json(z.array(Group)), ...errorResponses(400, 401, 403, 404) },
});
export const addGroup = protectedRoute(P, "write", {
  method: "post",
  path: "/{id}/groups",
  tags,
  summary: "Add a host to a group",
  request: { params: IdParam, body: jsonBody(AddHostGroupRequest) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const removeGroup = protectedRoute(P, "write", {
  method: "delete",
  path: "/{id}/groups/{group_id}",
  tags,
  summary: "Remove a host from a group",
  request: { params: HostGroupParams },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const scripts = protectedRoute(P, "read", {
  method: "get",
  path: "/{id}/scripts",
  tags,
  summary: "The scripts the host's agent allowlists (as reported on its last connect)",
  request: { params: IdParam },
  responses: { 200: json(z.array(HostScript)), ...errorResponses(400, 401, 403, 404) },
});
