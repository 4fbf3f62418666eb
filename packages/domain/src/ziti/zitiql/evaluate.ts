import { literal, resolveField, type ZqlFieldRef, type ZqlFields } from "./fields";
import { ZitiQlError } from "./lexer";
import type { ZqlCmpOp, ZqlExpr, ZqlLhs, ZqlQuery, ZqlValue } from "./parser";

type Scalar = string | number | boolean | null;

/** Evaluates a parsed filter against one in-memory row (lists computed in memory, e.g. services by policy). */
export function matches<R>(expr: ZqlExpr | undefined, row: R, fields: ZqlFields<R>): boolean {
  if (!expr) return true;
  switch (expr.t) {
    case "const":
      return expr.value;
    case "and":
      return matches(expr.left, row, fields) && matches(expr.right, row, fields);
    case "or":
      return matches(expr.left, row, fields) || matches(expr.right, row, fields);
    case "not":
      return !matches(expr.expr, row, fields);
    case "field": {
      const ref = resolveField(fields, expr.name);
      if (ref.def.kind !== "scalar" || ref.def.type !== "bool") throw new ZitiQlError(`${expr.name} is not boolean`, 0);
      return ref.def.get(row) === true;
    }
    case "isEmpty": {
      const ref = resolveField(fields, expr.name);
      if (ref.def.kind !== "set") throw new ZitiQlError(`${expr.name} is not a set`, 0);
      return ref.def.get(row).length === 0;
    }
    case "cmp":
      return anyAll(expr.lhs, row, fields, (v, type) => compare(v, expr.op, expr.value, type));
    case "contains":
      return anyAll(expr.lhs, row, fields, (v) => {
        if (v === null) return expr.negate;
        const hay = String(v);
        const found = expr.insensitive
          ? hay.toLowerCase().includes(expr.value.toLowerCase())
          : hay.includes(expr.value);
        return found !== expr.negate;
      });
    case "in":
      return anyAll(expr.lhs, row, fields, (v, type) => {
        const hit = expr.values.some((x) => compare(v, "=", x, type));
        return hit !== expr.negate;
      });
    case "between":
      return anyAll(expr.lhs, row, fields, (v, type) => {
        const inside = compare(v, ">=", expr.low, type) && compare(v, "<", expr.high, type);
        return inside !== expr.negate;
      });
  }
}

function anyAll<R>(
  lhs: ZqlLhs,
  row: R,
  fields: ZqlFields<R>,
  test: (v: Scalar, type: "string" | "number" | "datetime" | "bool" | "any") => boolean,
): boolean {
  const ref = resolveField(fields, lhs.name);
  if (lhs.kind === "count") {
    if (ref.def.kind !== "set") throw new ZitiQlError(`${lhs.name} is not a set`, 0);
    return test(ref.def.get(row).length, "number");
  }
  if (lhs.kind === "anyOf" || lhs.kind === "allOf") {
    if (ref.def.kind !== "set") throw new ZitiQlError(`${lhs.name} is not a set`, 0);
    const values = ref.def.get(row).map(toScalar);
    const type = ref.def.type;
    return lhs.kind === "anyOf" ? values.some((v) => test(v, type)) : values.every((v) => test(v, type));
  }
  if (ref.def.kind === "set") throw new ZitiQlError(`${lhs.name} is a set: use anyOf() or allOf()`, 0);
  return test(scalarOf(ref, row), ref.def.kind === "map" ? "any" : ref.def.type);
}

function scalarOf<R>(ref: ZqlFieldRef<R>, row: R): Scalar {
  if (ref.def.kind === "map") {
    const map = ref.def.get(row);
    return toScalar(map && ref.key !== undefined && Object.hasOwn(map, ref.key) ? map[ref.key] : null);
  }
  if (ref.def.kind === "scalar") return toScalar(ref.def.get(row));
  return null;
}

function toScalar(v: unknown): Scalar {
  if (v === undefined || v === null) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (v instanceof Date) return v.getTime();
  return JSON.stringify(v);
}

function compare(v: Scalar, op: ZqlCmpOp, value: ZqlValue, type: Parameters<typeof literal>[1]): boolean {
  const rhs = literal(value, type);
  if (rhs === null) {
    if (op === "=") return v === null;
    if (op === "!=") return v !== null;
    throw new ZitiQlError("null only compares with = or !=", 0);
  }
  if (v === null) return op === "!=";
  switch (op) {
    case "=":
      return v === rhs;
    case "!=":
      return v !== rhs;
    case "<":
      return v < rhs;
    case "<=":
      return v <= rhs;
    case ">":
      return v > rhs;
    case ">=":
      return v >= rhs;
  }
}

/** Applies a whole query (filter, sort, skip/limit) to an in-memory list; returns the page and the total. */
export function applyQuery<R>(
  rows: readonly R[],
  query: ZqlQuery,
  fields: ZqlFields<R>,
  paging: { offset: number; limit: number },
): { page: R[]; total: number; offset: number; limit: number } {
  const matched = rows.filter((r) => matches(query.filter, r, fields));
  const keys = query.sort.map((s) => ({ ref: sortRef(fields, s.field), direction: s.direction }));
  if (keys.length > 0) {
    matched.sort((a, b) => {
      for (const { ref, direction } of keys) {
        const x = scalarOf(ref, a);
        const y = scalarOf(ref, b);
        if (x === y) continue;
        const order = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
        return direction === "asc" ? order : -order;
      }
      return 0;
    });
  }
  const offset = query.skip ?? paging.offset;
  const limit = query.limit === "none" ? matched.length : (query.limit ?? paging.limit);
  return { page: matched.slice(offset, offset + limit), total: matched.length, offset, limit };
}

/** Resolves a sort field; anything that is not a known scalar is INVALID_SORT_IDENTIFIER. */
export function sortRef<R>(fields: ZqlFields<R>, name: string): ZqlFieldRef<R> {
  try {
    const ref = resolveField(fields, name);
    if (ref.def.kind !== "set") return ref;
  } catch {
    // fall through to the sort error
  }
  throw new ZitiQlError(`invalid sort identifier ${name}`, 0, "sort");
}
