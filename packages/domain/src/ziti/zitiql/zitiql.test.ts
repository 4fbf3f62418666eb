import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { applyQuery, matches, parseZitiQl, toSql, ZitiQlError, type ZqlFields } from "./index";

interface Row {
  id: string;
  name: string;
  cost: number;
  createdAt: number;
  isOnline: boolean;
  roleAttributes: string[];
  tags: Record<string, unknown>;
}

const fields: ZqlFields<Row> = {
  id: { kind: "scalar", type: "string", sql: "id", get: (r) => r.id },
  name: { kind: "scalar", type: "string", sql: "name", get: (r) => r.name },
  cost: { kind: "scalar", type: "number", sql: "cost", get: (r) => r.cost },
  createdAt: { kind: "scalar", type: "datetime", sql: "created_at", get: (r) => r.createdAt },
  isOnline: { kind: "scalar", type: "bool", sql: "is_online", get: (r) => r.isOnline },
  roleAttributes: { kind: "set", type: "string", sql: "role_attributes", get: (r) => r.roleAttributes },
  tags: { kind: "map", sql: "tags", get: (r) => r.tags },
};

const T0 = Date.parse("2024-01-01T00:00:00Z");
const rows: Row[] = [
  {
    id: "a",
    name: "web-1",
    cost: 0,
    createdAt: T0,
    isOnline: true,
    roleAttributes: ["web", "prod"],
    tags: { env: "prod" },
  },
  {
    id: "b",
    name: "web-2",
    cost: 10,
    createdAt: T0 + 86_400_000,
    isOnline: false,
    roleAttributes: ["web"],
    tags: { env: "dev" },
  },
  { id: "c", name: "DB-main", cost: 20, createdAt: T0 + 2 * 86_400_000, isOnline: true, roleAttributes: [], tags: {} },
  {
    id: "d",
    name: 'quote"d',
    cost: 30,
    createdAt: T0 + 3 * 86_400_000,
    isOnline: false,
    roleAttributes: ["prod"],
    tags: { env: "prod", n: 5 },
  },
];

/** The table of cases: each filter and the ids it must select, in memory and in D1 alike. */
const cases: [string, string[]][] = [
  ["", ["a", "b", "c", "d"]],
  ["true", ["a", "b", "c", "d"]],
  ["false", []],
  ['name = "web-1"', ["a"]],
  ['name != "web-1"', ["b", "c", "d"]],
  ['name contains "web"', ["a", "b"]],
  ['name not contains "web"', ["c", "d"]],
  ['name icontains "db"', ["c"]],
  ['name contains "DB"', ["c"]],
  ['name contains "db"', []],
  ['name = "quote\\"d"', ["d"]],
  ['name in ["web-2", "DB-main"]', ["b", "c"]],
  ['name not in ["web-2", "DB-main"]', ["a", "d"]],
  ["cost > 10", ["c", "d"]],
  ["cost >= 10 and cost < 30", ["b", "c"]],
  ["cost between 10 and 30", ["b", "c"]],
  ["cost not between 10 and 30", ["a", "d"]],
  ["cost in [0, 30]", ["a", "d"]],
  ["createdAt > datetime(2024-01-02T12:00:00Z)", ["c", "d"]],
  ["createdAt between datetime(2024-01-01T00:00:00Z) and datetime(2024-01-03T00:00:00Z)", ["a", "b"]],
  ["isOnline", ["a", "c"]],
  ["isOnline = true", ["a", "c"]],
  ["not isOnline", ["b", "d"]],
  ['anyOf(roleAttributes) = "prod"', ["a", "d"]],
  ['allOf(roleAttributes) = "web"', ["b", "c"]],
  ['anyOf(roleAttributes) in ["web", "nope"]', ["a", "b"]],
  ["isEmpty(roleAttributes)", ["c"]],
  ["not isEmpty(roleAttributes)", ["a", "b", "d"]],
  ["count(roleAttributes) > 1", ["a"]],
  ['tags.env = "prod"', ["a", "d"]],
  ["tags.env = null", ["c"]],
  ["tags.n = 5", ["d"]],
  ['isOnline and name contains "web" or cost = 30', ["a", "d"]],
  ['isOnline and (name contains "web" or cost = 20)', ["a", "c"]],
  ['not (name = "web-1" or name = "web-2")', ["c", "d"]],
  ['name = "web-1" OR name = "web-2" AND cost = 0', ["a"]],
];

describe("ZitiQL in memory", () => {
  it.each(cases)("%s", (filter, ids) => {
    const q = parseZitiQl(filter);
    expect(rows.filter((r) => matches(q.filter, r, fields)).map((r) => r.id)).toEqual(ids);
  });

  it("sort by, skip and limit (incl. limit none) apply after the filter", () => {
    const q = parseZitiQl("cost >= 0 sort by cost desc, name asc skip 1 limit 2");
    expect(applyQuery(rows, q, fields, { offset: 0, limit: 10 }).page.map((r) => r.id)).toEqual(["c", "b"]);
    const all = parseZitiQl("sort by name limit none");
    const res = applyQuery(rows, all, fields, { offset: 0, limit: 1 });
    expect(res.page.map((r) => r.id)).toEqual(["c", "d", "a", "b"]);
    expect(res.total).toBe(4);
  });
});

describe("ZitiQL in D1", () => {
  beforeAll(async () => {
    await env.DB.exec(
      "CREATE TABLE IF NOT EXISTS zql_rows (id TEXT, name TEXT, cost INTEGER, created_at INTEGER, is_online INTEGER, role_attributes TEXT, tags TEXT)",
    );
    await env.DB.exec("DELETE FROM zql_rows");
    await env.DB.batch(
      rows.map((r) =>
        env.DB.prepare("INSERT INTO zql_rows VALUES (?, ?, ?, ?, ?, ?, ?)").bind(
          r.id,
          r.name,
          r.cost,
          r.createdAt,
          r.isOnline ? 1 : 0,
          JSON.stringify(r.roleAttributes),
          JSON.stringify(r.tags),
        ),
      ),
    );
  });

  it.each(cases)("%s", async (filter, ids) => {
    const parts = toSql(parseZitiQl(filter), fields, { offset: 0, limit: 100 });
    const res = await env.DB.prepare(`SELECT id FROM zql_rows WHERE ${parts.where.sql} ORDER BY id`)
      .bind(...parts.where.params)
      .all<{ id: string }>();
    expect(res.results.map((r) => r.id)).toEqual(ids);
  });

  it("values are bound, never spliced into the SQL", () => {
    const parts = toSql(parseZitiQl(`name = "x' OR 1=1 --"`), fields, { offset: 0, limit: 10 });
    expect(parts.where.sql).not.toContain("OR 1=1");
    expect(parts.where.params).toEqual(["x' OR 1=1 --"]);
  });

  it("sort, skip and limit become ORDER BY / LIMIT / OFFSET", async () => {
    const parts = toSql(parseZitiQl("sort by cost desc skip 1 limit 2"), fields, { offset: 0, limit: 10 });
    const res = await env.DB.prepare(
      `SELECT id FROM zql_rows WHERE ${parts.where.sql} ORDER BY ${parts.orderBy} LIMIT ? OFFSET ?`,
    )
      .bind(...parts.where.params, parts.limit ?? -1, parts.offset)
      .all<{ id: string }>();
    expect(res.results.map((r) => r.id)).toEqual(["c", "b"]);
  });
});

describe("ZitiQL refusals", () => {
  it.each([
    'name = "unterminated',
    "name = 'single'",
    "name ==",
    "name = ",
    '(name = "a"',
    'name = "a")',
    "cost between 1",
    'cost between "a" and "b"',
    "name in []",
    'name in ["a", 1]',
    'anyOf(name) = "x"',
    'roleAttributes = "x"',
    "unknownField = 1",
    'NAME = "web-1"',
    'tags.bad-key = "x"',
    'name = "a" sort by',
    "limit -1",
    "skip x",
    'cost > "ten"',
    "createdAt > 5",
    "datetime(2024-13-01T00:00:00Z)",
    `name = "${"\u0001"}"`,
    `${"not ".repeat(40)}true`,
    `${"(".repeat(40)}true${")".repeat(40)}`,
    "x".repeat(5000),
    "__proto__ = 1",
    "constructor = 1",
  ])("%s → ZitiQlError", (filter) => {
    expect(() => {
      const q = parseZitiQl(filter);
      for (const r of rows) matches(q.filter, r, fields);
      toSql(q, fields, { offset: 0, limit: 10 });
    }).toThrow(ZitiQlError);
  });

  it("an unknown sort field is a sort error (INVALID_SORT_IDENTIFIER), not a filter error", () => {
    const q = parseZitiQl("sort by nope");
    try {
      toSql(q, fields, { offset: 0, limit: 10 });
      expect.unreachable();
    } catch (e) {
      expect((e as ZitiQlError).kind).toBe("sort");
    }
  });
});
