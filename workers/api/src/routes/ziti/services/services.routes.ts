import { createRoute, z } from "@hono/zod-openapi";
import { BaseEntity, Empty, EntityRef, envelopeOf, errorResponses, jsonResponse, ListMeta, Tags } from "../envelope";
import { ListQuery } from "../pagination";
import { ZT_SESSION, zitiAuth } from "../ziti-auth";

const tags = ["Service"];
const DialBind = z.enum(["Dial", "Bind"]).openapi("dialBind");

export const PostureQuery = z
  .object({
    ...BaseEntity,
    queryType: z.string().openapi({ description: "postureCheckType: OS, PROCESS, PROCESS_MULTI, DOMAIN, MAC, MFA" }),
    isPassing: z.boolean(),
    timeout: z.number().int(),
    timeoutRemaining: z.number().int(),
    process: z.object({}).passthrough().optional(),
    processes: z.array(z.object({}).passthrough()).optional(),
  })
  .openapi("postureQuery");

export const PostureQueries = z
  .object({ policyId: z.string(), policyType: DialBind, isPassing: z.boolean(), postureQueries: z.array(PostureQuery) })
  .openapi("postureQueries");

export const ServiceDetail = z
  .object({
    ...BaseEntity,
    name: z.string(),
    terminatorStrategy: z.string(),
    roleAttributes: z.array(z.string()).nullable(),
    configs: z.array(z.string()),
    config: z.record(z.string(), z.record(z.string(), z.unknown())),
    encryptionRequired: z.boolean(),
    maxIdleTimeMillis: z.number().int(),
    permissions: z.array(DialBind),
    postureQueries: z.array(PostureQueries),
  })
  .openapi("serviceDetail");

export const CommonEdgeRouter = {
  name: z.string(),
  hostname: z.string(),
  isOnline: z.boolean(),
  supportedProtocols: z.record(z.string(), z.string()),
  syncStatus: z.string(),
  cost: z.number().int().nullable(),
  noTraversal: z.boolean().nullable(),
  disabled: z.boolean(),
  appData: Tags.optional(),
};

const ServicesQuery = ListQuery.extend({
  configTypes: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({ description: "Config type names or ids to embed (`all` = every type)" }),
  roleFilter: z.union([z.string(), z.array(z.string())]).optional(),
  roleSemantic: z.string().optional(),
});
const IdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const listServices = createRoute({
  method: "get",
  path: "/services",
  operationId: "listServices",
  tags,
  summary: "List services the identity may Dial or Bind",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { query: ServicesQuery },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(ServiceDetail), meta: ListMeta }).openapi("listServicesEnvelope"),
      "Services",
    ),
    ...errorResponses(400, 401, 429),
  },
});

export const detailService = createRoute({
  method: "get",
  path: "/services/{id}",
  operationId: "detailService",
  tags,
  summary: "One service the identity may Dial or Bind",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { params: IdParam },
  responses: {
    200: jsonResponse(envelopeOf(ServiceDetail, "detailServiceEnvelope"), "A service"),
    ...errorResponses(401, 404, 429),
  },
});

const ServiceUpdate = z
  .object({
    name: z.string().min(1).max(255),
    roleAttributes: z.array(z.string().max(255)).max(100).nullable().optional(),
    configs: z.array(z.string().max(64)).max(50).optional(),
    encryptionRequired: z.boolean().optional(),
    terminatorStrategy: z.string().max(64).optional(),
    maxIdleTimeMillis: z.number().int().min(0).optional(),
    tags: Tags.optional(),
  })
  .openapi("serviceUpdate");
const ServicePatch = ServiceUpdate.partial().openapi("servicePatch");

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

export const listServiceEdgeRouters = createRoute({
  method: "get",
  path: "/services/{id}/edge-routers",
  operationId: "listServiceEdgeRouters",
  tags,
  summary: "Edge routers that can carry the service for this identity",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { params: IdParam, query: ListQuery },
  responses: {
    200: jsonResponse(
      envelopeOf(
        z.object({ edgeRouters: z.array(z.object({ ...CommonEdgeRouter, urls: z.record(z.string(), z.string()) })) }),
        "serviceEdgeRoutersEnvelope",
      ),
      "Edge routers",
    ),
    ...errorResponses(400, 401, 404, 429),
  },
});

export const TerminatorDetail = z
  .object({ ...BaseEntity, serviceId: z.string(), service: EntityRef, routerId: z.string(), identity: z.string() })
  .openapi("terminatorClientDetail");

export const listServiceTerminators = createRoute({
  method: "get",
  path: "/services/{id}/terminators",
  operationId: "listServiceTerminators",
  tags,
  summary: "Terminators of the service: identities that Bind it, on each router that carries it",
  security: ZT_SESSION,
  middleware: zitiAuth(),
  request: { params: IdParam, query: ListQuery },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(TerminatorDetail), meta: ListMeta }).openapi("listTerminatorsEnvelope"),
      "Terminators",
    ),
    ...errorResponses(400, 401, 404, 429),
  },
});
