import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { CommonError } from "../../lib/http-errors";

/**
 * Django REST framework behaviour the Zentral face reproduces (zentral.md §2):
 * JSONParser only, naive UTC datetimes, DRF field messages.
 */

/** Django's `<uuid:…>` converter: lowercase hex only; anything else does not match the route (404). */
export const UUID_PARAM = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** `datetime.isoformat()` of a naive UTC datetime: no offset, microseconds only when non-zero. */
export function naiveUtc(ms: number): string {
  const iso = new Date(ms).toISOString().slice(0, -1);
  const [base, frac = "000"] = iso.split(".");
  return frac === "000" ? (base ?? iso) : `${base}.${frac}000`;
}

/** DRF's `_MediaType.match` for the JSON parser: `application/json` (parameters allowed) or wildcards. */
function isJsonMediaType(contentType: string): boolean {
  const [type = "", sub = ""] = (contentType.split(";")[0] ?? "").trim().toLowerCase().split("/");
  return (type === "application" || type === "*") && (sub === "json" || sub === "*");
}

/**
 * `request.data` as DRF computes it: an empty body, or a body without a
 * Content-Type, is `{}`; another media type → 415; malformed JSON → 400.
 */
export async function drfData(c: Context<AppEnv>): Promise<unknown> {
  const raw = await c.req.text();
  const contentType = c.req.header("content-type");
  if (raw.length === 0 || !contentType) return {};
  if (!isJsonMediaType(contentType)) {
    throw new CommonError("unsupported_media_type", "Unsupported media type", { contentType });
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new CommonError("malformed_json", "JSON parse error");
  }
}
