/**
 * ZitiQL tokenizer. Follows the grammar of OpenZiti's `storage/zitiql/ZitiQl.g4`:
 * keywords are case-insensitive, strings are double-quoted with the escapes
 * `\" \\ \f \n \r \t` only, identifiers are dotted (`tags.env`) and may be
 * single-quoted, datetimes are `datetime(<RFC 3339>)`.
 */
export type TokenKind =
  | "lparen"
  | "rparen"
  | "lbracket"
  | "rbracket"
  | "comma"
  | "op"
  | "string"
  | "number"
  | "datetime"
  | "ident"
  | "keyword"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** keyword/op text in lower case; string contents unescaped; identifier as written (quotes removed). */
  value: string;
  pos: number;
}

export class ZitiQlError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly kind: "filter" | "sort" | "pagination" = "filter",
  ) {
    super(message);
    this.name = "ZitiQlError";
  }
}

const KEYWORDS = new Set([
  "and",
  "or",
  "not",
  "in",
  "between",
  "contains",
  "icontains",
  "true",
  "false",
  "null",
  "allof",
  "anyof",
  "count",
  "isempty",
  "sort",
  "by",
  "asc",
  "desc",
  "skip",
  "limit",
  "none",
]);

const MAX_QUERY_LENGTH = 4096;
const IDENT = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?(?:0|[1-9][0-9]*))?/;
const RFC3339 =
  /^datetime\(\s*(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d))\s*\)/i;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", f: "\f", n: "\n", r: "\r", t: "\t" };

/** Splits a ZitiQL query into tokens; throws ZitiQlError on anything the grammar does not accept. */
export function tokenize(input: string): Token[] {
  if (input.length > MAX_QUERY_LENGTH) throw new ZitiQlError("query too long", MAX_QUERY_LENGTH);
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    const rest = input.slice(i);
    const single: Record<string, TokenKind> = {
      "(": "lparen",
      ")": "rparen",
      "[": "lbracket",
      "]": "rbracket",
      ",": "comma",
    };
    const singleKind = single[ch];
    if (singleKind) {
      tokens.push({ kind: singleKind, value: ch, pos: i });
      i++;
      continue;
    }
    const op = /^(?:!=|<=|>=|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ kind: "op", value: op[0], pos: i });
      i += op[0].length;
      continue;
    }
    if (ch === '"') {
      const { value, end } = readString(input, i);
      tokens.push({ kind: "string", value, pos: i });
      i = end;
      continue;
    }
    if (ch === "-" || (ch >= "0" && ch <= "9")) {
      const m = NUMBER.exec(rest);
      if (!m) throw new ZitiQlError(`invalid number at ${i}`, i);
      tokens.push({ kind: "number", value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const dt = RFC3339.exec(rest);
    if (dt?.[1]) {
      tokens.push({ kind: "datetime", value: dt[1], pos: i });
      i += dt[0].length;
      continue;
    }
    if (ch === "'") {
      const m = IDENT.exec(input.slice(i + 1));
      if (!m || input.charAt(i + 1 + m[0].length) !== "'")
        throw new ZitiQlError(`invalid quoted identifier at ${i}`, i);
      tokens.push({ kind: "ident", value: m[0], pos: i });
      i += m[0].length + 2;
      continue;
    }
    const m = IDENT.exec(rest);
    if (!m) throw new ZitiQlError(`unexpected character at ${i}`, i);
    const lower = m[0].toLowerCase();
    tokens.push(
      KEYWORDS.has(lower) ? { kind: "keyword", value: lower, pos: i } : { kind: "ident", value: m[0], pos: i },
    );
    i += m[0].length;
  }
  tokens.push({ kind: "eof", value: "", pos: input.length });
  return tokens;
}

function readString(input: string, start: number): { value: string; end: number } {
  let out = "";
  let i = start + 1;
  while (i < input.length) {
    const c = input.charAt(i);
    if (c === '"') return { value: out, end: i + 1 };
    if (c === "\\") {
      const esc = ESCAPES[input.charAt(i + 1)];
      if (esc === undefined) throw new ZitiQlError(`invalid escape at ${i}`, i);
      out += esc;
      i += 2;
      continue;
    }
    if (c.charCodeAt(0) < 0x20) throw new ZitiQlError(`control character in string at ${i}`, i);
    out += c;
    i++;
  }
  throw new ZitiQlError(`unterminated string at ${start}`, start);
}
