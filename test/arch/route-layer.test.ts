import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { violations } from "./route-layer-rules";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ROUTES = path.join(ROOT, "workers/api/src/routes");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

describe("the route layer reaches storage only through the domain", () => {
  it("no file under workers/api/src/routes imports drizzle-orm or the schema, or touches a binding", () => {
    const files = sources(ROUTES);
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((f) =>
      violations(readFileSync(f, "utf8")).map((v) => `${path.relative(ROOT, f)}:${v.line} ${v.rule}: ${v.text}`),
    );
    expect(found).toEqual([]);
  });

  it.each([
    ['import { eq } from "drizzle-orm";', "imports drizzle-orm"],
    ['import type { BatchItem } from "drizzle-orm/batch";', "imports drizzle-orm"],
    ['import { hosts } from "../../../../packages/domain/src/schema";', "imports the schema"],
    ['import {\n  schema,\n  findTask,\n} from "@fleetgate/domain";', "imports the schema"],
    ["await ctx.db.select().from(svc.schema.hosts);", "uses the schema"],
    ['await c.env.DB.prepare("select 1").first();', "touches a binding"],
    ["const obj = await c.env.EXPORTS.get(key);", "touches a binding"],
    ["env.JOBS.get(env.JOBS.idFromName(id));", "touches a binding"],
    ['c.env["TASKS"].send(m);', "touches a binding"],
    ["const { HOSTS } = c.env;", "destructures a binding"],
    ["await launchJob(c.env, plan);", "hands the bindings to a helper"],
  ])("catches %j", (source, rule) => {
    expect(violations(source).map((v) => v.rule)).toContain(rule);
  });

  it.each([
    'checkOrigin(c.req.header("origin"), c.env.ALLOWED_ORIGINS ?? "");',
    "const ctx = await domain(c);",
    'import { findTask, type TaskRow } from "@fleetgate/domain";',
    "logAt(c.env.LOG_LEVEL, \"info\", 'x');",
  ])("allows %j", (source) => {
    expect(violations(source)).toEqual([]);
  });
});
