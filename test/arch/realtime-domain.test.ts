import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { violations } from "./route-layer-rules";

const ROOT = path.resolve(import.meta.dirname, "../..");
const REALTIME = path.join(ROOT, "workers/realtime/src");
/** The one file that builds a Durable Object's DomainContext (createDomainContext). */
const ACCESS = path.join(REALTIME, "shared/domain-access.ts");

/** Beyond the route layer's rules: no D1 client of its own, no direct lookup of another object. */
const EXTRA: [string, RegExp][] = [
  ["builds its own D1 client", /\bcreateDb\s*\(/],
  ["looks up a Durable Object instead of using a port", /\b(?:jobRunStub|hostChannelStub|eventHubStub)\s*\(/],
];

function realtimeViolations(source: string): string[] {
  return [
    // "uses the schema" targets `svc.schema.x` of the route layer; here `this.schema` is a zod schema.
    ...violations(source)
      .filter((v) => v.rule !== "uses the schema")
      .map((v) => `${v.line} ${v.rule}`),
    ...EXTRA.flatMap(([rule, re]) =>
      [...source.matchAll(new RegExp(re.source, "g"))].map(
        (m) => `${source.slice(0, m.index).split("\n").length} ${rule}`,
      ),
    ),
  ];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

describe("the Durable Objects reach the domain through createDomainContext and its ports", () => {
  it("no file under workers/realtime/src creates a D1 client, touches a binding or looks up another object", () => {
    const files = sources(REALTIME).filter((f) => f !== ACCESS);
    expect(files.length).toBeGreaterThan(15);
    const found = files.flatMap((f) =>
      realtimeViolations(readFileSync(f, "utf8")).map((v) => `${path.relative(ROOT, f)}:${v}`),
    );
    expect(found).toEqual([]);
  });

  it.each([
    ["const db = createDb(this.env.DB);", "builds its own D1 client"],
    ["await jobRunStub(env.JOBS, jobId).report(r);", "looks up a Durable Object instead of using a port"],
    ["hostChannelStub(ns, id).cancel(c)", "looks up a Durable Object instead of using a port"],
    ["await this.env.EXPORTS.put(key, body);", "touches a binding"],
  ])("catches %j", (source, rule) => {
    expect(realtimeViolations(source).map((v) => v.replace(/^\d+ /, ""))).toContain(rule);
  });

  it.each([
    "const ctx = await this.domain.context();",
    "await (await domain.context()).jobRuns.report(jobId, report);",
    'logAt(this.env.LOG_LEVEL, "info", "x");',
    'this.sql.exec("SELECT 1");',
  ])("allows %j", (source) => {
    expect(realtimeViolations(source)).toEqual([]);
  });
});
