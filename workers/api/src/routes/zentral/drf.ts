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

/** Python's name for the type of a parsed JSON value (DRF's "Expected a dictionary, but got …"). */
export function pythonTypeName(v: unknown): string {
  if (v === null) return "NoneType";
  if (Array.isArray(v)) return "list";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  return "dict";
}

type FieldResult<T> = { value: T } | { error: string } | { missing: true };

/** DRF `CharField` (trim_whitespace, allow_blank=False, allow_null=False). */
export function charField(data: Record<string, unknown>, name: string): FieldResult<string> {
  if (!(name in data)) return { missing: true };
  const v = data[name];
  if (v === null) return { error: "This field may not be null." };
  if (typeof v === "boolean" || (typeof v !== "string" && typeof v !== "number"))
    return { error: "Not a valid string." };
  const s = String(v).trim();
  if (s === "") return { error: "This field may not be blank." };
  if (s.includes("\0")) return { error: "Null characters are not allowed." };
  return { value: s };
}

/** DRF `IntegerField(min_value, max_value)`: `int(str(v))` after dropping a `.0…` suffix. */
export function integerField(
  data: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): FieldResult<number> {
  if (!(name in data)) return { missing: true };
  const v = data[name];
  if (v === null) return { error: "This field may not be null." };
  if (typeof v === "string" && v.length > 1000) return { error: "String value too large." };
  if (typeof v !== "string" && typeof v !== "number") return { error: "A valid integer is required." };
  const text = String(v)
    .replace(/\.0*\s*$/, "")
    .trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(text)) return { error: "A valid integer is required." };
  const n = Number(text.replace(/_/g, ""));
  if (!Number.isSafeInteger(n))
    return {
      error:
        n < min
          ? `Ensure this value is greater than or equal to ${min}.`
          : `Ensure this value is less than or equal to ${max}.`,
    };
  if (n < min) return { error: `Ensure this value is greater than or equal to ${min}.` };
  if (n > max) return { error: `Ensure this value is less than or equal to ${max}.` };
  return { value: n };
}
