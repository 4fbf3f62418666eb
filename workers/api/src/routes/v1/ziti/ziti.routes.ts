import {
  Created,
  errorResponses,
  IdParam,
  json,
  jsonBody,
  Message,
  ZITI_INPUTS,
  ZitiEntity,
  ZitiIdentityAuthPolicyInput,
  type ZitiKind,
  ZitiRoleAttributesInput,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const P = "/ziti";
const tags = ["Ziti management"];

/** The five operations of one managed kind, at /api/v1/ziti/<kind>[/{id}], admin only. */
export function kindRoutes<K extends ZitiKind>(kind: K) {
  const input = ZITI_INPUTS[kind];
  const label = kind.replace(/-/g, " ");
  return {
    list: protectedRoute(P, "admin", {
      method: "get",
      path: `/${kind}`,
      tags,
      summary: `All ${label}`,
      responses: { 200: json(z.array(ZitiEntity)), ...errorResponses(401, 403) },
    }),
    create: protectedRoute(P, "admin", {
      method: "post",
      path: `/${kind}`,
      tags,
      summary: `Create one of the ${label}`,
      request: { body: jsonBody(input) },
      responses: { 201: json(Created), ...errorResponses(400, 401, 403, 409) },
    }),
    get: protectedRoute(P, "admin", {
      method: "get",
      path: `/${kind}/{id}`,
      tags,
      summary: `One of the ${label}`,
      request: { params: IdParam },
      responses: { 200: json(ZitiEntity), ...errorResponses(400, 401, 403, 404) },
    }),
    update: protectedRoute(P, "admin", {
      method: "put",
      path: `/${kind}/{id}`,
      tags,
      summary: `Replace one of the ${label}`,
      request: { params: IdParam, body: jsonBody(input) },
      responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    remove: protectedRoute(P, "admin", {
      method: "delete",
      path: `/${kind}/{id}`,
      tags,
      summary: `Delete one of the ${label}`,
      request: { params: IdParam },
      responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404, 409) },
    }),
  };
}

export const setRoleAttributes = protectedRoute(P, "admin", {
  method: "put",
  path: "/identities/{id}/role-attributes",
  tags,
  summary: "Set an identity's Ziti role attributes (what #attribute policy roles select)",
  request: { params: IdParam, body: jsonBody(ZitiRoleAttributesInput) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});

export const setAuthPolicy = protectedRoute(P, "admin", {
  method: "put",
  path: "/identities/{id}/auth-policy",
  tags,
  summary: "Set an identity's Ziti auth policy (null: the default policy, which allows every signer)",
  request: { params: IdParam, body: jsonBody(ZitiIdentityAuthPolicyInput) },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});
