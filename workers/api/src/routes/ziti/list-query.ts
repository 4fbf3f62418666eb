import {
  applyQuery,
  filterableFields,
  parseZitiQl,
  ZitiQlError,
  type ZqlFields,
  type ZqlQuery,
} from "@fleetgate/domain";
import { Z, ZitiError } from "./errors";
import { type Paging, parsePaging } from "./pagination";

/**
 * A Ziti list request: limit/offset (INVALID_PAGINATION), a ZitiQL `filter`
 * (INVALID_FILTER) that may carry its own `sort by`/`skip`/`limit`, and the
 * `sort` parameter (`name desc, createdAt`), whose unknown fields are
 * INVALID_SORT_IDENTIFIER (ziti-edge-client.md §4).
 */
export function zitiListQuery(query: { limit?: string; offset?: string; filter?: string; sort?: string }): {
  paging: Paging;
  zql: ZqlQuery;
} {
  const paging = parsePaging({ limit: query.limit, offset: query.offset });
  let zql: ZqlQuery;
  try {
    zql = parseZitiQl(query.filter ?? "");
    if (query.sort?.trim()) zql.sort = [...zql.sort, ...parseZitiQl(`sort by ${query.sort}`).sort];
  } catch (e) {
    throw asZitiError(e);
  }
  return { paging, zql };
}

export const invalidSortIdentifier = (causeMessage = "") =>
  new ZitiError(400, "INVALID_SORT_IDENTIFIER", "The sort order supplied is invalid", null, causeMessage);

function asZitiError(e: unknown): unknown {
  if (!(e instanceof ZitiQlError)) return e;
  if (e.kind === "sort") return invalidSortIdentifier(e.message);
  if (e.kind === "pagination") return Z.invalidPagination(e.message);
  return Z.invalidFilter(e.message);
}

/**
 * Filters, sorts and pages rows computed in memory (policy-filtered lists).
 * `meta` reports the effective limit/offset and the total after the filter.
 */
export function pageInMemory<R>(rows: readonly R[], zql: ZqlQuery, fields: ZqlFields<R>, paging: Paging) {
  let result: ReturnType<typeof applyQuery<R>>;
  try {
    result = applyQuery(rows, zql, fields, paging);
  } catch (e) {
    throw asZitiError(e);
  }
  return {
    items: result.page,
    meta: {
      pagination: { limit: result.limit, offset: result.offset, totalCount: result.total },
      filterableFields: filterableFields(fields),
    },
  };
}

/** Field-table helpers for the common base-entity fields. */
export function baseFields<R extends { id: string; createdAt: number; updatedAt: number }>(): ZqlFields<R> {
  return {
    id: { kind: "scalar", type: "string", sql: "id", get: (r) => r.id },
    createdAt: { kind: "scalar", type: "datetime", sql: "created_at", get: (r) => r.createdAt },
    updatedAt: { kind: "scalar", type: "datetime", sql: "updated_at", get: (r) => r.updatedAt },
  };
}
