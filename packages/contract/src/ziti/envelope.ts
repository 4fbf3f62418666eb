import { z } from "@hono/zod-openapi";

/**
 * The OpenZiti edge-client wire envelope (ziti-edge-client-0.26.38 `meta`,
 * `link`, `baseEntity`, `empty`, `listMeta`, `apiErrorEnvelope`): the schemas
 * the Ziti face validates with and documents its served spec from.
 */
export const Meta = z.object({}).passthrough().openapi("Meta");
export const envelopeOf = <T extends z.ZodTypeAny>(data: T, name: string) =>
  z.object({ data, meta: Meta }).openapi(name);

/** `link`: an href relative to the API base (`./identities/<id>`), as the controller renders them. */
export const Link = z
  .object({ href: z.string(), method: z.string().optional(), comment: z.string().optional() })
  .openapi("link");
export const Links = z.record(z.string(), Link).openapi("links");
export const Tags = z.record(z.string(), z.unknown()).nullable().openapi("tags");

/** `entityRef`: a reference to another resource with its self link. */
export const EntityRef = z
  .object({ _links: Links, entity: z.string(), id: z.string(), name: z.string() })
  .openapi("entityRef");

/** Fields every Edge API entity carries (`baseEntity`). */
export const BaseEntity = {
  id: z.string(),
  createdAt: z.string().openapi({ format: "date-time" }),
  updatedAt: z.string().openapi({ format: "date-time" }),
  _links: Links,
  tags: Tags,
};

/** `empty`: `{"data": {}, "meta": {}}` for deletes, updates, verifications and logout. */
export const Empty = z.object({ data: z.object({}), meta: Meta }).openapi("empty");

/** `createEnvelope` (201). */
export const CreateEnvelope = z
  .object({ data: z.object({ id: z.string(), _links: Links }), meta: Meta })
  .openapi("createEnvelope");

export const Pagination = z
  .object({ limit: z.number().int(), offset: z.number().int(), totalCount: z.number().int() })
  .openapi("pagination");
export const ListMeta = z.object({ pagination: Pagination, filterableFields: z.array(z.string()) }).openapi("listMeta");
export const listEnvelopeOf = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ data: z.array(item), meta: ListMeta }).openapi(name);

/** `mfaCode` request body. */
export const MfaCode = z.object({ code: z.string() }).openapi("mfaCode");

/** `apiErrorEnvelope`. */
export const ApiErrorEnvelope = z
  .object({
    error: z.object({
      args: z.object({ urlVars: z.record(z.string(), z.string()) }),
      cause: z.unknown().nullable(),
      causeMessage: z.string(),
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
    }),
    meta: z.object({ apiEnrollmentVersion: z.string(), apiVersion: z.string() }),
  })
  .openapi("apiErrorEnvelope");

/** A path `{id}` (at most 64 characters: every id Fleetgate hands out fits). */
export const IdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

/** ziti-edge-client.md §4: default 10, at most 500; `-1` asks for everything (capped at 500). */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 500;

/**
 * List query parameters. Kept as strings so that a non-integer becomes
 * INVALID_PAGINATION rather than a generic validation error.
 */
export const ListQuery = z.object({
  limit: z.string().optional().openapi({ type: "integer", description: "Page size (default 10, max 500)" }),
  offset: z.string().optional().openapi({ type: "integer", description: "Entities to skip" }),
  filter: z.string().optional().openapi({ description: "ZitiQL filter (may carry `sort by`, `skip`, `limit`)" }),
  sort: z.string().optional().openapi({ description: "Sort fields (`name desc, createdAt`)" }),
});

/** A path `{id}` without a length bound (an unknown id of any length is 404, as the controller answers). */
export const AnyIdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
