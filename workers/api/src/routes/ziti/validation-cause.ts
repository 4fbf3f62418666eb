import type { ZodError } from "zod";

type Issue = ZodError["issues"][number];

/**
 * A validation failure as the controller's JSON-schema validator
 * (gojsonschema) reports it in `error.cause`:
 * `{details: {context, field, …}, field, message, type, value}` with
 * `field` `(root)` or a dotted path, `message` `<field>: <description>`, and
 * `value` the value at `field` (for `required`: the object missing the key).
 */
export interface ZitiValidationCause {
  details: Record<string, unknown>;
  field: string;
  message: string;
  type: string;
  value: unknown;
}

const at = (input: unknown, path: readonly PropertyKey[]): unknown => {
  let v = input;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
};

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

const fieldOf = (path: readonly PropertyKey[]) => (path.length === 0 ? "(root)" : path.map(String).join("."));
const contextOf = (path: readonly PropertyKey[]) => ["(root)", ...path.map(String)].join(".");

function describe(
  issue: Issue,
  input: unknown,
): Omit<ZitiValidationCause, "message" | "field"> & { path: PropertyKey[] } {
  const path = [...issue.path];
  const value = at(input, path);
  const field = fieldOf(path);
  const base = { context: contextOf(path), field };
  switch (issue.code) {
    case "invalid_type": {
      if (value === undefined && path.length > 0) {
        const parent = path.slice(0, -1);
        const property = String(path[path.length - 1]);
        return {
          path: parent,
          type: "required",
          value: at(input, parent) ?? null,
          details: { context: contextOf(parent), field: fieldOf(parent), property },
        };
      }
      return {
        path,
        type: "invalid_type",
        value: value ?? null,
        details: { ...base, expected: issue.expected, given: jsonType(value) },
      };
    }
    case "too_small":
      return {
        path,
        type: issue.origin === "string" ? "string_gte" : issue.origin === "array" ? "array_min_items" : "number_gte",
        value: value ?? null,
        details: { ...base, min: Number(issue.minimum) },
      };
    case "too_big":
      return {
        path,
        type: issue.origin === "string" ? "string_lte" : issue.origin === "array" ? "array_max_items" : "number_lte",
        value: value ?? null,
        details: { ...base, max: Number(issue.maximum) },
      };
    case "invalid_value":
      return {
        path,
        type: "enum",
        value: value ?? null,
        details: { ...base, allowed: issue.values.map(String).join(", ") },
      };
    case "unrecognized_keys":
      return {
        path,
        type: "additional_property_not_allowed",
        value: value ?? null,
        details: { ...base, property: issue.keys.join(", ") },
      };
    case "invalid_format":
      return { path, type: "format", value: value ?? null, details: { ...base, format: issue.format } };
    default:
      return { path, type: "invalid", value: value ?? null, details: base };
  }
}

const DESCRIPTIONS: Record<string, (d: Record<string, unknown>) => string> = {
  required: (d) => `${d.property} is required`,
  invalid_type: (d) => `Invalid type. Expected: ${d.expected}, given: ${d.given}`,
  string_gte: (d) => `String length must be greater than or equal to ${d.min}`,
  string_lte: (d) => `String length must be less than or equal to ${d.max}`,
  number_gte: (d) => `Must be greater than or equal to ${d.min}`,
  number_lte: (d) => `Must be less than or equal to ${d.max}`,
  array_min_items: (d) => `Array must have at least ${d.min} items`,
  array_max_items: (d) => `Array must have at most ${d.max} items`,
  enum: (d) => `${d.field} must be one of the following: ${d.allowed}`,
  additional_property_not_allowed: (d) => `Additional property ${d.property} is not allowed`,
  format: (d) => `Does not match format '${d.format}'`,
};

const SECRET = /password|secret|token|^code$/i;
const MASK = "******";

/** How deep an echoed value is copied; below it (hostile nesting) the value is elided. */
const MAX_ECHO_DEPTH = 8;
/** How many items or keys of one array or object are echoed. */
const MAX_ECHO_ITEMS = 50;
const ELIDED = "…";

/**
 * Secrets sent in the body are never echoed back (a password's own value, or
 * inside an object), and the echo is bounded in depth and width, so a hostile
 * body nested thousands of levels deep costs nothing to answer.
 */
function redact(value: unknown, key: string | undefined, depth = 0): unknown {
  if (key !== undefined && SECRET.test(key) && value !== null && value !== undefined) return MASK;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_ECHO_DEPTH) return ELIDED;
  if (Array.isArray(value)) return value.slice(0, MAX_ECHO_ITEMS).map((v) => redact(v, undefined, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, MAX_ECHO_ITEMS)
      .map(([k, v]) => [k, redact(v, k, depth + 1)]),
  );
}

/** The cause of the first issue (the controller reports one). */
export function zitiValidationCause(issues: readonly Issue[], input: unknown): ZitiValidationCause | null {
  const issue = issues[0];
  if (!issue) return null;
  const d = describe(issue, input);
  const field = fieldOf(d.path);
  const text = DESCRIPTIONS[d.type]?.(d.details) ?? issue.message;
  const key = d.path.length > 0 ? String(d.path[d.path.length - 1]) : undefined;
  return { details: d.details, field, message: `${field}: ${text}`, type: d.type, value: redact(d.value, key) };
}
