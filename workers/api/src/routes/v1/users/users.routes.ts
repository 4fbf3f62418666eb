import {
  ChangeOwnPasswordRequest,
  Created,
  CreateUserRequest,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  Message,
  ResetPasswordRequest,
  RevokeResponse,
  UpdateUserRequest,
  User,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Users"];
const P = "/users";

export const listUsers = protectedRoute(P, "admin", {
  method: "get",
  path: "",
  tags,
  summary: "All people, ordered by username",
  responses: { 200: json(z.array(User)), ...errorResponses(401, 403) },
});
export const createUser = protectedRoute(P, "admin", {
  method: "post",
  path: "",
  tags,
  summary: "Create a person",
  request: { body: jsonBody(CreateUserRequest) },
  responses: { 200: json(Created), ...errorResponses(400, 401, 403, 409) },
});
export const me = protectedRoute(P, "self", {
  method: "get",
  path: "/me",
  tags,
  summary: "The signed-in person",
  responses: { 200: json(User), ...errorResponses(401) },
});
export const changeOwnPassword = protectedRoute(P, "self", {
  method: "put",
  path: "/me/password",
  tags,
  summary: "Change one's own password",
  request: { body: jsonBody(ChangeOwnPasswordRequest) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 429) },
});
export const getUser = protectedRoute(P, "self", {
  method: "get",
  path: "/{id}",
  tags,
  summary: "A person (self, or any for admins)",
  request: { params: IdParam },
  responses: { 200: json(User), ...errorResponses(400, 401, 403, 404) },
});
export const updateUser = protectedRoute(P, "self", {
  method: "put",
  path: "/{id}",
  tags,
  summary: "Update a person (role, is_active and force_password_reset: admins only)",
  request: { params: IdParam, body: jsonBody(UpdateUserRequest) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404, 409) },
});
export const deleteUser = protectedRoute(P, "admin", {
  method: "delete",
  path: "/{id}",
  tags,
  summary: "Delete a person",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const resetPassword = protectedRoute(P, "admin", {
  method: "put",
  path: "/{id}/password",
  tags,
  summary: "Set a person's password",
  request: { params: IdParam, body: jsonBody(ResetPasswordRequest) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
export const revoke = protectedRoute(P, "admin", {
  method: "post",
  path: "/{id}/revoke",
  tags,
  summary: "End every session and outstanding access token of a person",
  request: { params: IdParam },
  responses: { 200: json(RevokeResponse), ...errorResponses(400, 401, 403, 404) },
});
export const resetMfa = protectedRoute(P, "admin", {
  method: "delete",
  path: "/{id}/mfa",
  tags,
  summary: "Remove a person's MFA enrolment",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
