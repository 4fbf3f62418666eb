import { ZitiQlError } from "./lexer";
import type { ZqlValue } from "./parser";

/**
 * What a list endpoint lets a ZitiQL query see. `scalar` fields compare as
 * their type; `set` fields (role attributes, config ids) take `anyOf()`,
 * `allOf()`, `count()` and `isEmpty()`; `map` fields (`tags`) are read by key,
 * as in `tags.env = "prod"`.
 */
export type ZqlFieldType = "string" | "number" | "datetime" | "bool";

export type ZqlFieldDef<R> =
  | { kind: "scalar"; type: ZqlFieldType; sql: string; get: (row: R) => unknown }
  | { kind: "set"; type: ZqlFieldType; sql: string; get: (row: R) => readonly unknown[] }
  | { kind: "map"; sql: string; get: (row: R) => Record<string, unknown> | null | undefined };

export type ZqlFields<R> = Record<string, ZqlFieldDef<R>>;

/** A resolved reference: the field, and for a map field the key read from it. */
export interface ZqlFieldRef<R> {
  def: ZqlFieldDef<R>;
  key?: string;
}

const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Looks a (possibly dotted) symbol up; unknown symbols are an invalid filter, as in OpenZiti. */
export function resolveField<R>(fields: ZqlFields<R>, name: string): ZqlFieldRef<R> {
  const direct = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (direct) return { def: direct };
  const dot = name.indexOf(".");
  if (dot > 0) {
    const base = name.slice(0, dot);
    const key = name.slice(dot + 1);
    const def = Object.hasOwn(fields, base) ? fields[base] : undefined;
    if (def?.kind === "map" && KEY.test(key)) return { def, key };
  }
  throw new ZitiQlError(`unknown symbol ${name}`, 0);
}

/** The names a list advertises in `meta.filterableFields`. */
export function filterableFields<R>(fields: ZqlFields<R>): string[] {
  return Object.keys(fields);
}

/** Converts a literal to the representation a field of `type` is stored in (datetimes as epoch ms). */
export function literal(value: ZqlValue, type: ZqlFieldType | "any"): string | number | boolean | null {
  switch (value.type) {
    case "null":
      return null;
    case "datetime":
      if (type !== "datetime" && type !== "any") throw new ZitiQlError("a datetime needs a datetime field", 0);
      return Date.parse(value.value);
    case "bool":
      if (type !== "bool" && type !== "any") throw new ZitiQlError("a boolean needs a boolean field", 0);
      return value.value;
    case "number":
      if (type === "string" || type === "datetime") throw new ZitiQlError("a number needs a number field", 0);
      return value.value;
    case "string":
      if (type !== "string" && type !== "any") throw new ZitiQlError("a string needs a string field", 0);
      return value.value;
  }
}
