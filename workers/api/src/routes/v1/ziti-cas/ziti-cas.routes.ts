import {
  errorResponses,
  IdParam,
  json,
  jsonBody,
  Message,
  ZitiCa,
  ZitiCaCreate,
  ZitiCaUpdate,
  ZitiCaVerify,
} from "@fleetgate/contract";
import { z } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const P = "/ziti";
const tags = ["Ziti management"];

export const listCas = protectedRoute(P, "admin", {
  method: "get",
  path: "/cas",
  tags,
  summary: "Third-party CAs (for /enroll/ca, /enroll/ottca and certificate authentication)",
  responses: { 200: json(z.array(ZitiCa)), ...errorResponses(401, 403) },
});

export const createCa = protectedRoute(P, "admin", {
  method: "post",
  path: "/cas",
  tags,
  summary: "Register a third-party CA (unverified until POST /cas/{id}/verify)",
  request: { body: jsonBody(ZitiCaCreate) },
  responses: { 201: json(ZitiCa, "Created"), ...errorResponses(400, 401, 403, 409) },
});

export const getCa = protectedRoute(P, "admin", {
  method: "get",
  path: "/cas/{id}",
  tags,
  summary: "One third-party CA (its verificationToken while unverified)",
  request: { params: IdParam },
  responses: { 200: json(ZitiCa), ...errorResponses(400, 401, 403, 404) },
});

export const updateCa = protectedRoute(P, "admin", {
  method: "put",
  path: "/cas/{id}",
  tags,
  summary: "Replace a third-party CA's settings (the certificate is fixed)",
  request: { params: IdParam, body: jsonBody(ZitiCaUpdate) },
  responses: { 200: json(ZitiCa), ...errorResponses(400, 401, 403, 404, 409) },
});

export const deleteCa = protectedRoute(P, "admin", {
  method: "delete",
  path: "/cas/{id}",
  tags,
  summary: "Delete a third-party CA, the authenticators of its certificates and its open ottca enrollments",
  request: { params: IdParam },
  responses: { 200: json(Message), ...errorResponses(400, 401, 403, 404) },
});

export const verifyCa = protectedRoute(P, "admin", {
  method: "post",
  path: "/cas/{id}/verify",
  tags,
  summary: "Proof of possession: a certificate signed by the CA whose CN is its verificationToken",
  request: { params: IdParam, body: jsonBody(ZitiCaVerify) },
  responses: { 200: json(ZitiCa), ...errorResponses(400, 401, 403, 404, 409) },
});

export const caJwt = protectedRoute(P, "admin", {
  method: "get",
  path: "/cas/{id}/jwt",
  tags,
  summary: "The CA's enrollment JWT (em: ca) for SDKs that enroll with /enroll?method=ca",
  request: { params: IdParam },
  responses: {
    200: { description: "The JWT", content: { "application/jwt": { schema: z.string() } } },
    ...errorResponses(400, 401, 403, 404),
  },
});
