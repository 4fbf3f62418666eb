import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../../workers/api/src/app";
import { call } from "../helpers";
import { errorShapeProblem, faceOf } from "./fuzz-faces";
import { hostileId, hostileString } from "./fuzz-values";

/**
 * Issue 11, hostile input: fuzz.isolated.test.ts generates requests from the
 * native, Ziti and ctrl-exec documents, so a mounted route none of them
 * lists (the agent endpoints and package repository, which have their own
 * document at /agent/v1/openapi.json, signed file links, JWKS, EST, health,
 * the documents themselves) got no hostile case. This takes the
 * route table of the app itself, keeps the routes no document lists, and
 * sends them hostile path segments, credentials and bodies: every answer is
 * < 500 and, when an error, in its face's shape.
 */
const RUNS = 400;
const BIG = "<1 MiB + 1 byte>";
const BIG_TEXT = "x".repeat(1024 * 1024 + 1);
const DOCUMENTS: [string, string][] = [
  ["/api/v1/openapi.json", "/api/v1"],
  ["/edge/client/v1/specs/edge-client/spec", "/edge/client/v1"],
  ["/openapi.json", ""],
];
/** Fuzzed from a hand-written document in fuzz.isolated.test.ts (Zentral publishes none of its own). */
const FUZZED_ELSEWHERE = /^\/api\/(task_result|accounts)\//;

/** `/a/:id{[0-9a-f]+}/b` and `/a/{id}/b` both become `/a/:/b`, so the two tables compare. */
const shapeOf = (path: string) => path.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, ":").replace(/\{[^}]+\}/g, ":");

let routes: { method: string; path: string }[] = [];

beforeAll(async () => {
  const documented = new Set<string>();
  for (const [url, prefix] of DOCUMENTS) {
    const res = await call(url);
    expect(res.status).toBe(200);
    const raw = (await res.json()) as { paths?: Record<string, object>; data?: { paths: Record<string, object> } };
    for (const [path, item] of Object.entries(raw.paths ?? raw.data?.paths ?? {}))
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${shapeOf(`${prefix}${path}`)}`);
  }
  const seen = new Set<string>();
  for (const r of app.routes) {
    const key = `${r.method} ${shapeOf(r.path)}`;
    if (r.method === "ALL" || seen.has(key) || documented.has(key) || FUZZED_ELSEWHERE.test(r.path)) continue;
    seen.add(key);
    routes.push({ method: r.method, path: r.path });
  }
  routes = routes.sort((a, b) => `${a.method} ${a.path}`.localeCompare(`${b.method} ${b.path}`));
  // The agent face is the bulk of them; an empty list would make the property vacuous.
  expect(routes.some((r) => r.path.startsWith("/agent/v1/"))).toBe(true);
}, 120_000);

const credentials = fc.constantFrom<Record<string, string>>(
  {},
  { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." },
  { authorization: `Bearer ${"A".repeat(16_000)}` },
  { authorization: "Token ztlu_0000000000000000000000000000000000" },
  { authorization: "Basic !!not-base64==" },
);
const bodies = fc.oneof(
  hostileString.map((text) => ({ type: "application/json", text })),
  fc.constantFrom(
    { type: "application/json", text: '{"csr":' },
    { type: "application/json", text: '{"csr":123,"__proto__":{"admin":true}}' },
    { type: "application/json", text: `{"csr":"${"-".repeat(5000)}"}` },
    { type: "application/json", text: BIG },
    { type: "text/plain", text: "x" },
    { type: "", text: "{}" },
  ),
);

describe("fuzz: routes no OpenAPI document lists answer hostile input with < 500 in their face's shape", () => {
  it("every undocumented route, hostile segments, credentials and bodies", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(hostileId, { minLength: 3, maxLength: 3 }),
        fc.oneof({ arbitrary: fc.constant(""), weight: 3 }, { arbitrary: fc.constantFrom("GET", "POST"), weight: 1 }),
        credentials,
        bodies,
        async (route, ids, otherMethod, headers, body) => {
          let i = 0;
          const path = route.path
            .replace(/:[A-Za-z_]+(\{[^}]*\})?/g, () => ids[i++ % ids.length] ?? "x")
            .replace(/\*$/, () => ids[0] ?? "x");
          const method = otherMethod || route.method;
          const hasBody = method !== "GET" && method !== "HEAD";
          const res = await call(path, {
            method,
            headers: hasBody && body.type ? { ...headers, "content-type": body.type } : headers,
            body: hasBody ? (body.text === BIG ? BIG_TEXT : body.text) : undefined,
            redirect: "manual",
          });
          const text = await res.text();
          const where = `${method} ${path.slice(0, 200)} → ${res.status}: ${text.slice(0, 200)}`;
          expect(res.status, where).toBeLessThan(500);
          if (res.status >= 400) {
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            expect(
              errorShapeProblem(faceOf(new URL(`http://127.0.0.1${path}`).pathname), parsed),
              where,
            ).toBeUndefined();
          }
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);
});
