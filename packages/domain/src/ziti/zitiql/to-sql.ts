import { literal, resolveField, type ZqlFields } from "./fields";
import { ZitiQlError } from "./lexer";
import type { ZqlCmpOp, ZqlExpr, ZqlLhs, ZqlQuery, ZqlValue } from "./parser";

/** A WHERE fragment with positional `?` parameters; field SQL comes only from the field table, values only as parameters. */
export interface SqlFragment {
  sql: string;
  params: (string | number | null)[];
}

/** The parts of a SELECT a ZitiQL query decides. */
export interface SqlQueryParts {
  where: SqlFragment;
  orderBy: string;
  limit: number | null;
  offset: number;
}

/** Compiles a parsed query to SQLite (D1). Set fields are JSON arrays (json_each); map fields are JSON objects. */
export function toSql<R>(
  query: ZqlQuery,
  fields: ZqlFields<R>,
  paging: { offset: number; limit: number },
): SqlQueryParts {
  const params: SqlFragment["params"] = [];
  const where = query.filter ? expr(query.filter, fields, params) : "1";
  const orderBy = query.sort
    .map((s) => {
      let ref: ReturnType<typeof resolveField<R>>;
      try {
        ref = resolveField(fields, s.field);
      } catch {
        throw new ZitiQlError(`invalid sort identifier ${s.field}`, 0, "sort");
      }
      if (ref.def.kind === "set") throw new ZitiQlError(`invalid sort identifier ${s.field}`, 0, "sort");
      const col = ref.def.kind === "map" ? `json_extract(${ref.def.sql}, '$.${ref.key}')` : ref.def.sql;
      return `${col} ${s.direction === "asc" ? "ASC" : "DESC"}`;
    })
    .join(", ");
  return {
    where: { sql: where, params },
    orderBy,
    limit: query.limit === "none" ? null : (query.limit ?? paging.limit),
    offset: query.skip ?? paging.offset,
  };
}

function expr<R>(e: ZqlExpr, fields: ZqlFields<R>, params: SqlFragment["params"]): string {
  switch (e.t) {
    case "const":
      return e.value ? "1" : "0";
    case "and":
      return `(${expr(e.left, fields, params)} AND ${expr(e.right, fields, params)})`;
    case "or":
      return `(${expr(e.left, fields, params)} OR ${expr(e.right, fields, params)})`;
    case "not":
      return `(NOT ${expr(e.expr, fields, params)})`;
    case "field": {
      const ref = resolveField(fields, e.name);
      if (ref.def.kind !== "scalar" || ref.def.type !== "bool") throw new ZitiQlError(`${e.name} is not boolean`, 0);
      return `(${ref.def.sql} = 1)`;
    }
    case "isEmpty": {
      const ref = resolveField(fields, e.name);
      if (ref.def.kind !== "set") throw new ZitiQlError(`${e.name} is not a set`, 0);
      return `(json_array_length(coalesce(${ref.def.sql}, '[]')) = 0)`;
    }
    case "cmp":
      return over(e.lhs, fields, (col, type) => cmp(col, e.op, e.value, type, params));
    case "contains":
      return over(e.lhs, fields, (col) => {
        params.push(e.value);
        const like = e.insensitive ? `(instr(lower(${col}), lower(?)) > 0)` : `(instr(${col}, ?) > 0)`;
        return e.negate ? `(${col} IS NULL OR NOT ${like})` : like;
      });
    case "in":
      return over(e.lhs, fields, (col, type) => {
        const marks = e.values.map((v) => {
          params.push(bind(v, type));
          return "?";
        });
        return e.negate
          ? `(${col} IS NULL OR ${col} NOT IN (${marks.join(", ")}))`
          : `(${col} IN (${marks.join(", ")}))`;
      });
    case "between":
      return over(e.lhs, fields, (col, type) => {
        params.push(bind(e.low, type), bind(e.high, type));
        const inside = `(${col} >= ? AND ${col} < ?)`;
        return e.negate ? `(${col} IS NULL OR NOT ${inside})` : inside;
      });
  }
}

type ColType = "string" | "number" | "datetime" | "bool" | "any";

function over<R>(lhs: ZqlLhs, fields: ZqlFields<R>, test: (col: string, type: ColType) => string): string {
  const ref = resolveField(fields, lhs.name);
  if (lhs.kind === "count") {
    if (ref.def.kind !== "set") throw new ZitiQlError(`${lhs.name} is not a set`, 0);
    return test(`json_array_length(coalesce(${ref.def.sql}, '[]'))`, "number");
  }
  if (lhs.kind === "anyOf" || lhs.kind === "allOf") {
    if (ref.def.kind !== "set") throw new ZitiQlError(`${lhs.name} is not a set`, 0);
    const inner = test("je.value", ref.def.type);
    const from = `json_each(coalesce(${ref.def.sql}, '[]')) AS je`;
    return lhs.kind === "anyOf"
      ? `EXISTS (SELECT 1 FROM ${from} WHERE ${inner})`
      : `NOT EXISTS (SELECT 1 FROM ${from} WHERE NOT ${inner})`;
  }
  if (ref.def.kind === "set") throw new ZitiQlError(`${lhs.name} is a set: use anyOf() or allOf()`, 0);
  if (ref.def.kind === "map") return test(`json_extract(${ref.def.sql}, '$.${ref.key}')`, "any");
  return test(ref.def.sql, ref.def.type);
}

function bind(v: ZqlValue, type: ColType): string | number | null {
  const b = literal(v, type);
  return typeof b === "boolean" ? (b ? 1 : 0) : b;
}

function cmp(col: string, op: ZqlCmpOp, v: ZqlValue, type: ColType, params: SqlFragment["params"]): string {
  const b = bind(v, type);
  if (b === null) {
    if (op === "=") return `(${col} IS NULL)`;
    if (op === "!=") return `(${col} IS NOT NULL)`;
    throw new ZitiQlError("null only compares with = or !=", 0);
  }
  params.push(b);
  if (op === "!=") return `(${col} IS NULL OR ${col} != ?)`;
  return `(${col} ${op} ?)`;
}
