import { type Token, tokenize, ZitiQlError } from "./lexer";

/** A literal on the right-hand side of a ZitiQL comparison. */
export type ZqlValue =
  | { type: "string"; value: string }
  | { type: "number"; value: number }
  | { type: "datetime"; value: string }
  | { type: "bool"; value: boolean }
  | { type: "null" };

/** The left-hand side: a field, a set function over a set field, or a count of one. */
export type ZqlLhs =
  | { kind: "field"; name: string }
  | { kind: "anyOf" | "allOf"; name: string }
  | { kind: "count"; name: string };

export type ZqlCmpOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type ZqlExpr =
  | { t: "and" | "or"; left: ZqlExpr; right: ZqlExpr }
  | { t: "not"; expr: ZqlExpr }
  | { t: "const"; value: boolean }
  | { t: "field"; name: string }
  | { t: "isEmpty"; name: string }
  | { t: "cmp"; lhs: ZqlLhs; op: ZqlCmpOp; value: ZqlValue }
  | { t: "contains"; lhs: ZqlLhs; value: string; insensitive: boolean; negate: boolean }
  | { t: "in"; lhs: ZqlLhs; values: ZqlValue[]; negate: boolean }
  | { t: "between"; lhs: ZqlLhs; low: ZqlValue; high: ZqlValue; negate: boolean };

export interface ZqlSort {
  field: string;
  direction: "asc" | "desc";
}

/** A parsed query: optional filter, sort fields, skip and limit (`"none"` = `limit none`). */
export interface ZqlQuery {
  filter?: ZqlExpr;
  sort: ZqlSort[];
  skip?: number;
  limit?: number | "none";
}

const MAX_DEPTH = 32;
const MAX_LIST = 256;
const BOOL_FOLLOWERS = new Set(["and", "or", "sort", "skip", "limit"]);

/** Parses a ZitiQL query (`filter` query parameter). Throws ZitiQlError when it is not valid ZitiQL. */
export function parseZitiQl(input: string): ZqlQuery {
  return new Parser(tokenize(input)).query();
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  query(): ZqlQuery {
    const q: ZqlQuery = { sort: [] };
    if (!this.atClause()) q.filter = this.orExpr();
    if (this.peekKeyword("sort")) {
      this.next();
      this.expectKeyword("by");
      q.sort.push(this.sortField());
      while (this.peek().kind === "comma") {
        this.next();
        q.sort.push(this.sortField());
      }
    }
    if (this.peekKeyword("skip")) {
      this.next();
      q.skip = this.nonNegativeInt();
    }
    if (this.peekKeyword("limit")) {
      this.next();
      if (this.peekKeyword("none")) {
        this.next();
        q.limit = "none";
      } else q.limit = this.nonNegativeInt();
    }
    const t = this.peek();
    if (t.kind !== "eof") throw new ZitiQlError(`unexpected '${t.value}' at ${t.pos}`, t.pos);
    return q;
  }

  private atClause(): boolean {
    const t = this.peek();
    return t.kind === "eof" || (t.kind === "keyword" && ["sort", "skip", "limit"].includes(t.value));
  }

  private sortField(): ZqlSort {
    const t = this.next();
    if (t.kind !== "ident") throw new ZitiQlError(`expected a sort field at ${t.pos}`, t.pos, "sort");
    let direction: "asc" | "desc" = "asc";
    if (this.peekKeyword("asc") || this.peekKeyword("desc")) direction = this.next().value as "asc" | "desc";
    return { field: t.value, direction };
  }

  private nonNegativeInt(): number {
    const t = this.next();
    if (t.kind !== "number" || !/^(0|[1-9][0-9]*)$/.test(t.value) || t.value.length > 9)
      throw new ZitiQlError(`expected a non-negative integer at ${t.pos}`, t.pos, "pagination");
    return Number(t.value);
  }

  private orExpr(): ZqlExpr {
    let left = this.andExpr();
    while (this.peekKeyword("or")) {
      this.next();
      left = { t: "or", left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): ZqlExpr {
    let left = this.unary();
    while (this.peekKeyword("and")) {
      this.next();
      left = { t: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): ZqlExpr {
    if (++this.depth > MAX_DEPTH) throw new ZitiQlError("query nested too deeply", this.peek().pos);
    try {
      if (this.peekKeyword("not")) {
        this.next();
        return { t: "not", expr: this.unary() };
      }
      return this.primary();
    } finally {
      this.depth--;
    }
  }

  private primary(): ZqlExpr {
    const t = this.peek();
    if (t.kind === "lparen") {
      this.next();
      const e = this.orExpr();
      this.expect("rparen");
      return e;
    }
    if (t.kind === "keyword" && (t.value === "true" || t.value === "false")) {
      this.next();
      return { t: "const", value: t.value === "true" };
    }
    if (t.kind === "keyword" && t.value === "isempty") {
      this.next();
      this.expect("lparen");
      const name = this.ident();
      this.expect("rparen");
      return { t: "isEmpty", name };
    }
    const lhs = this.lhs();
    return this.operation(lhs);
  }

  private lhs(): ZqlLhs {
    const t = this.peek();
    if (t.kind === "keyword" && (t.value === "anyof" || t.value === "allof" || t.value === "count")) {
      this.next();
      this.expect("lparen");
      const name = this.ident();
      this.expect("rparen");
      return { kind: t.value === "anyof" ? "anyOf" : t.value === "allof" ? "allOf" : "count", name };
    }
    return { kind: "field", name: this.ident() };
  }

  private operation(lhs: ZqlLhs): ZqlExpr {
    const t = this.peek();
    const ends = t.kind === "rparen" || t.kind === "eof" || (t.kind === "keyword" && BOOL_FOLLOWERS.has(t.value));
    // A bare boolean symbol (`isAdmin`), followed by and/or/sort/… or the end.
    if (lhs.kind === "field" && ends) return { t: "field", name: lhs.name };
    let negate = false;
    if (t.kind === "keyword" && t.value === "not") {
      this.next();
      negate = true;
    }
    const op = this.next();
    if (op.kind === "op" && !negate) return { t: "cmp", lhs, op: op.value as ZqlCmpOp, value: this.value() };
    if (op.kind === "keyword" && (op.value === "contains" || op.value === "icontains")) {
      const v = this.next();
      if (v.kind !== "string" && v.kind !== "number")
        throw new ZitiQlError(`contains needs a string or number at ${v.pos}`, v.pos);
      return { t: "contains", lhs, value: v.value, insensitive: op.value === "icontains", negate };
    }
    if (op.kind === "keyword" && op.value === "in") {
      this.expect("lbracket");
      const values = [this.value()];
      while (this.peek().kind === "comma") {
        this.next();
        values.push(this.value());
        if (values.length > MAX_LIST) throw new ZitiQlError("list too long", op.pos);
      }
      this.expect("rbracket");
      const kinds = new Set(values.map((v) => v.type));
      if (kinds.size !== 1 || kinds.has("null") || kinds.has("bool"))
        throw new ZitiQlError(`in needs a list of strings, numbers or datetimes at ${op.pos}`, op.pos);
      return { t: "in", lhs, values, negate };
    }
    if (op.kind === "keyword" && op.value === "between") {
      const low = this.value();
      this.expectKeyword("and");
      const high = this.value();
      if (low.type !== high.type || (low.type !== "number" && low.type !== "datetime"))
        throw new ZitiQlError(`between needs two numbers or two datetimes at ${op.pos}`, op.pos);
      return { t: "between", lhs, low, high, negate };
    }
    throw new ZitiQlError(`unexpected '${op.value}' at ${op.pos}`, op.pos);
  }

  private value(): ZqlValue {
    const t = this.next();
    switch (t.kind) {
      case "string":
        return { type: "string", value: t.value };
      case "number":
        return { type: "number", value: Number(t.value) };
      case "datetime":
        return { type: "datetime", value: new Date(t.value).toISOString() };
      case "keyword":
        if (t.value === "true" || t.value === "false") return { type: "bool", value: t.value === "true" };
        if (t.value === "null") return { type: "null" };
        break;
    }
    throw new ZitiQlError(`expected a value at ${t.pos}`, t.pos);
  }

  private ident(): string {
    const t = this.next();
    if (t.kind !== "ident") throw new ZitiQlError(`expected an identifier at ${t.pos}`, t.pos);
    return t.value;
  }

  private peek(): Token {
    return this.tokens[this.i] ?? { kind: "eof", value: "", pos: 0 };
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private peekKeyword(k: string): boolean {
    const t = this.peek();
    return t.kind === "keyword" && t.value === k;
  }

  private expect(kind: Token["kind"]): void {
    const t = this.next();
    if (t.kind !== kind) throw new ZitiQlError(`expected ${kind} at ${t.pos}`, t.pos);
  }

  private expectKeyword(k: string): void {
    const t = this.next();
    if (t.kind !== "keyword" || t.value !== k) throw new ZitiQlError(`expected '${k}' at ${t.pos}`, t.pos);
  }
}
