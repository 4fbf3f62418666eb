import fc from "fast-check";

/** JSON Schema subset as served in the faces' OpenAPI documents. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
}

/** Strings an attacker would send: huge, NUL, traversal, injection, lone surrogates, look-alike tokens. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%00",
    "' OR 1=1 --",
    '"; DROP TABLE identities; --',
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "__proto__",
    "constructor",
    "null",
    "NaN",
    "-1",
    "1e999",
    "ztlu_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA000000",
    "eyJhbGciOiJub25lIn0.e30.",
    "00000000-0000-0000-0000-000000000000",
    "2026-13-45T99:99:99Z",
    "x".repeat(70_000),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.uuid(),
);

/** A JSON value nested `depth` levels deep (arrays or objects). */
export const deepNesting = fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean()).map(([depth, arrays]) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
});

/** Objects whose keys try to reach prototypes. */
export const prototypeKeys = fc.constantFrom<unknown>(
  JSON.parse('{"__proto__": {"role": "admin", "isAdmin": true}}'),
  JSON.parse('{"constructor": {"prototype": {"role": "admin"}}}'),
  JSON.parse('{"__proto__": null, "toString": 1, "hasOwnProperty": "x", "valueOf": []}'),
);

/** Any JSON value, hostile ones weighted up. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.5, [], {}), weight: 2 },
  { arbitrary: deepNesting, weight: 1 },
  { arbitrary: prototypeKeys, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
);

/** Resolves `$ref: "#/components/schemas/X"` against the document. */
export function resolve(doc: { components?: { schemas?: Record<string, Schema> } }, s: Schema | undefined): Schema {
  let cur = s ?? {};
  for (let i = 0; i < 10 && cur.$ref; i++) {
    const name = cur.$ref.split("/").pop() ?? "";
    cur = doc.components?.schemas?.[name] ?? {};
  }
  return cur;
}

/**
 * Values for `schema`: mostly well-typed (so requests get past parsing and
 * reach the handlers), sometimes hostile (so the validators are tested).
 */
export function fromSchema(
  doc: { components?: { schemas?: Record<string, Schema> } },
  schema: Schema | undefined,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const typed = typedFrom(doc, s, depth);
  return fc.oneof({ arbitrary: typed, weight: 4 }, { arbitrary: hostileJson, weight: 1 });
}

function typedFrom(doc: Parameters<typeof fromSchema>[0], s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts && alts.length > 0 && depth < 4) return fc.oneof(...alts.map((a) => fromSchema(doc, a, depth + 1)));
  if (s.allOf && s.allOf.length > 0 && depth < 4) return fromSchema(doc, s.allOf[0], depth + 1);
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== "null") ?? "null") : s.type;
  switch (type) {
    case "object": {
      if (depth >= 4 || !s.properties) return fc.dictionary(fc.string({ maxLength: 8 }), hostileJson, { maxKeys: 3 });
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(s.properties)) record[k] = fromSchema(doc, v, depth + 1);
      return fc.record(record, { requiredKeys: [] });
    }
    case "array":
      return depth >= 4 ? fc.constant([]) : fc.array(fromSchema(doc, s.items, depth + 1), { maxLength: 4 });
    case "integer":
      return fc.oneof(fc.integer({ min: s.minimum ?? -10, max: s.maximum ?? 1000 }), fc.integer());
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "string":
      if (s.format === "uuid") return fc.uuid();
      if (s.format === "date-time") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      return fc.string({ maxLength: 30 });
    default:
      return hostileJson;
  }
}

/** Path parameter values: real-looking ids and traversal / encoding tricks. */
export const hostileId = fc.oneof(
  fc.uuid(),
  fc.constantFrom(
    "..",
    "%2e%2e",
    "..%2f..%2fadmin",
    "%00",
    "a%00b",
    "%ff%fe",
    "%E2%80%AE",
    "null",
    "-1",
    "0",
    "99999999999999999999",
    "abc123",
    "ABCDEF",
    "deadbeef",
    "x".repeat(4000),
    "%252e%252e",
    "__proto__",
  ),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
