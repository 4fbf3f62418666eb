import { z } from "@hono/zod-openapi";
import { Z } from "./errors";

/** ziti-edge-client.md §4: default 10, at most 500; `-1` asks for everything (capped at 500). */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 500;

/**
 * List query parameters. Kept as strings here so that a non-integer becomes
 * INVALID_PAGINATION (parsePaging) rather than a generic validation error.
 */
export const ListQuery = z.object({
  limit: z.string().optional().openapi({ type: "integer", description: "Page size (default 10, max 500)" }),
  offset: z.string().optional().openapi({ type: "integer", description: "Entities to skip" }),
  filter: z.string().optional().openapi({ description: "ZitiQL filter; only `true` is supported here" }),
  sort: z.string().optional(),
});

export interface Paging {
  limit: number;
  offset: number;
}

function integer(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!/^[+-]?\d+$/.test(raw.trim())) throw Z.invalidPagination(`${name} must be an integer`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw Z.invalidPagination(`${name} is out of range`);
  return n;
}

/** Limit/offset as the controller reads them: non-integers refused, odd values defaulted or clamped. */
export function parsePaging(query: { limit?: string; offset?: string; filter?: string }): Paging {
  const filter = query.filter?.trim();
  if (filter && filter.toLowerCase() !== "true") throw Z.invalidFilter("filters are not supported on this list");
  const rawLimit = integer("limit", query.limit);
  const rawOffset = integer("offset", query.offset);
  let limit = rawLimit ?? DEFAULT_LIMIT;
  if (limit === -1 || limit > MAX_LIMIT) limit = MAX_LIMIT;
  else if (limit === 0 || limit < -1) limit = DEFAULT_LIMIT;
  const offset = rawOffset !== undefined && rawOffset > 0 ? rawOffset : 0;
  return { limit, offset };
}

/** `meta` of a list response. */
export function listMeta(paging: Paging, totalCount: number) {
  return { pagination: { limit: paging.limit, offset: paging.offset, totalCount }, filterableFields: [] as string[] };
}
