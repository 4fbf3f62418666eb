import { DEFAULT_LIMIT, MAX_LIMIT } from "@fleetgate/contract/ziti";
import { Z } from "./errors";

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
export function parsePaging(query: { limit?: string; offset?: string }): Paging {
  const rawLimit = integer("limit", query.limit);
  const rawOffset = integer("offset", query.offset);
  let limit = rawLimit ?? DEFAULT_LIMIT;
  if (limit === -1 || limit > MAX_LIMIT) limit = MAX_LIMIT;
  else if (limit === 0 || limit < -1) limit = DEFAULT_LIMIT;
  const offset = rawOffset !== undefined && rawOffset > 0 ? rawOffset : 0;
  return { limit, offset };
}
