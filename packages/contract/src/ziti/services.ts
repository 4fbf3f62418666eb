import { z } from "@hono/zod-openapi";
import { BaseEntity, EntityRef, ListMeta, ListQuery, Tags } from "./envelope";

export const DialBind = z.enum(["Dial", "Bind"]).openapi("dialBind");

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

export const ListServicesEnvelope = z
  .object({ data: z.array(ServiceDetail), meta: ListMeta })
  .openapi("listServicesEnvelope");

/** Fields of `commonEdgeRouterProperties`. */
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

export const ServicesQuery = ListQuery.extend({
  configTypes: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({ description: "Config type names or ids to embed (`all` = every type)" }),
  roleFilter: z.union([z.string(), z.array(z.string())]).optional(),
  roleSemantic: z.string().optional(),
});

/** `serviceUpdate` (PUT /services/{id}, admins only). */
export const ServiceUpdate = z
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
export const ServicePatch = ServiceUpdate.partial().openapi("servicePatch");

export const ServiceEdgeRouters = z.object({
  edgeRouters: z.array(z.object({ ...CommonEdgeRouter, urls: z.record(z.string(), z.string()) })),
});

export const TerminatorDetail = z
  .object({ ...BaseEntity, serviceId: z.string(), service: EntityRef, routerId: z.string(), identity: z.string() })
  .openapi("terminatorClientDetail");

export const ListTerminatorsEnvelope = z
  .object({ data: z.array(TerminatorDetail), meta: ListMeta })
  .openapi("listTerminatorsEnvelope");
