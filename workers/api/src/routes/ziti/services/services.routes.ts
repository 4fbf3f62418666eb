import {
  Empty,
  envelopeOf,
  IdParam,
  ListQuery,
  ListServicesEnvelope,
  ListTerminatorsEnvelope,
  ServiceDetail,
  ServiceEdgeRouters,
  ServicePatch,
  ServicesQuery,
  ServiceUpdate,
} from "@fleetgate/contract/ziti";
import { createRoute, type z } from "@hono/zod-openapi";
import { errorResponses, jsonResponse } from "../envelope";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";
import { sessionRoutes } from "../ziti-route";

const tags = ["Service"];
const route = sessionRoutes(tags);
export const listServices = route({
  method: "get",
  path: "/services",
  operationId: "listServices",
  summary: "List services the identity may Dial or Bind",
  request: { query: ServicesQuery },
  responses: {
    200: jsonResponse(ListServicesEnvelope, "Services"),
    ...errorResponses(400, 401, 429),
  },
});

export const detailService = route({
  method: "get",
  path: "/services/{id}",
  operationId: "detailService",
  summary: "One service the identity may Dial or Bind",
  request: { params: IdParam },
  responses: {
    200: jsonResponse(envelopeOf(ServiceDetail, "detailServiceEnvelope"), "A service"),
    ...errorResponses(401, 404, 429),
  },
});

const adminRoute = {
  path: "/services/{id}",
  tags,
  security: ZT_SESSION,
  middleware: zitiAuth(),
  responses: { 200: jsonResponse(Empty, "Done"), ...errorResponses(400, 401, 404, 409, 429) },
} as const;
const bodyOf = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { "application/json": { schema } } });

export const updateService = createRoute({
  ...adminRoute,
  method: "put",
  operationId: "updateService",
  summary: "Replace a service (admins only; anyone else is UNAUTHORIZED)",
  request: { params: IdParam, body: bodyOf(ServiceUpdate) },
});
export const patchService = createRoute({
  ...adminRoute,
  method: "patch",
  operationId: "patchService",
  summary: "Update some fields of a service (admins only)",
  request: { params: IdParam, body: bodyOf(ServicePatch) },
});
export const deleteService = createRoute({
  ...adminRoute,
  method: "delete",
  operationId: "deleteService",
  summary: "Delete a service (admins only)",
  request: { params: IdParam },
});

export const listServiceEdgeRouters = route({
  method: "get",
  path: "/services/{id}/edge-routers",
  operationId: "listServiceEdgeRouters",
  summary: "Edge routers that can carry the service for this identity",
  request: { params: IdParam, query: ListQuery },
  responses: {
    200: jsonResponse(envelopeOf(ServiceEdgeRouters, "serviceEdgeRoutersEnvelope"), "Edge routers"),
    ...errorResponses(400, 401, 404, 429),
  },
});

export const listServiceTerminators = route({
  method: "get",
  path: "/services/{id}/terminators",
  operationId: "listServiceTerminators",
  summary: "Terminators of the service: identities that Bind it, on each router that carries it",
  request: { params: IdParam, query: ListQuery },
  responses: {
    200: jsonResponse(ListTerminatorsEnvelope, "Terminators"),
    ...errorResponses(400, 401, 404, 429),
  },
});
