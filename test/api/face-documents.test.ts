import { describe, expect, it } from "vitest";
import { DIALECTS } from "../../workers/api/src/dialects";
import { operation, routerOf } from "../../workers/api/src/lib/route-set";
import type { Router } from "../../workers/api/src/lib/router";
import { agent } from "../../workers/api/src/routes/agent/index";
import { exec } from "../../workers/api/src/routes/exec/index";
import { v1 } from "../../workers/api/src/routes/v1/index";
import { zentral } from "../../workers/api/src/routes/zentral/index";
import { ziti } from "../../workers/api/src/routes/ziti/index";
import { call } from "./helpers";

/** `METHOD /path` of every handler a router serves, in OpenAPI path syntax (`{id}`). */
function served(router: Router): string[] {
  const ops = router.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^/]*\})?/g, "{$1}").replace(/\/$/, "") || "/"}`);
  return [...new Set(ops)].sort();
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether a served operation is in the documented list: a trailing wildcard (`/*`, a key that holds
 * slashes) is documented by a definition with one parameter in its place.
 */
const coveredBy = (docs: string[]) => (op: string) =>
  docs.includes(op) ||
  (op.endsWith("/*") && docs.some((d) => new RegExp(`^${escapeRegExp(op.slice(0, -1))}\\{\\w+\\}$`).test(d)));

/** `METHOD /path` of every operation registered in the face's OpenAPI registry (what its document lists). */
function documented(router: Router): string[] {
  return router.openAPIRegistry.definitions
    .flatMap((d) =>
      d.type === "route" ? [`${d.route.method.toUpperCase()} ${d.route.path.replace(/\/$/, "") || "/"}`] : [],
    )
    .sort();
}

/** The documents themselves and the native reference page that renders one. */
const DOCUMENT_ENDPOINTS = new Set(["GET /openapi.json", "GET /docs"]);

describe("every face's document lists every operation it implements", () => {
  for (const d of DIALECTS) {
    it(d.name, () => {
      // A face's first mount is its API: an OpenAPIHono router (lib/router.ts).
      const api = d.mounts[0]?.[1] as Router | undefined;
      if (!api) throw new Error(`${d.name} mounts nothing`);
      const docs = new Set(documented(api));
      const undocumented = served(api).filter((op) => !docs.has(op) && !DOCUMENT_ENDPOINTS.has(op));
      expect(undocumented).toEqual([]);
      expect(docs.size).toBeGreaterThan(0);
    });

    // The other mounts (agent endpoints, signed-link files, health, JWKS, EST cacerts) are served
    // beside the face's API: each defines every operation it serves with a route definition too.
    for (const [i, [prefix, router]] of d.mounts.entries()) {
      if (i === 0) continue;
      it(`${d.name} mount ${i} (${prefix})`, () => {
        const mount = router as Router;
        expect(mount.openAPIRegistry, `${prefix} is not an OpenAPIHono router`).toBeDefined();
        const docs = documented(mount);
        expect(served(mount).filter((op) => !DOCUMENT_ENDPOINTS.has(op) && !coveredBy(docs)(op))).toEqual([]);
        expect(docs.length).toBeGreaterThan(0);
      });
    }
  }

  it("tells a documented operation from one served without a definition", () => {
    const probe = routerOf(
      operation({ method: "get", path: "/things/{id}", responses: { 204: { description: "none" } } }, (c) =>
        c.body(null, 204),
      ),
    );
    probe.get("/hidden/:id", (c) => c.text("x"));
    expect(served(probe)).toEqual(["GET /hidden/{id}", "GET /things/{id}"]);
    expect(documented(probe)).toEqual(["GET /things/{id}"]);
    expect(coveredBy(["GET /files/{key}"])("GET /files/*")).toBe(true);
    expect(coveredBy(["GET /files/{a}/{b}"])("GET /files/*")).toBe(false);
    expect(coveredBy(["GET /other/{key}"])("GET /files/*")).toBe(false);
  });
});

/** Every served document: where it is served and the router whose operations it must list. */
const SERVED_DOCUMENTS: [string, Router][] = [
  ["/api/v1/openapi.json", v1],
  ["/agent/v1/openapi.json", agent],
  ["/edge/client/v1/specs/edge-client/spec", ziti],
  ["/api/openapi.json", zentral],
  ["/openapi.json", exec],
];

describe("every served document lists every operation its router serves", () => {
  for (const [url, router] of SERVED_DOCUMENTS) {
    it(url, async () => {
      // Public, like every face's document: no credentials.
      const res = await call(url);
      expect(res.status).toBe(200);
      const raw = (await res.json()) as { paths?: Record<string, object>; data?: { paths: Record<string, object> } };
      const paths = raw.paths ?? raw.data?.paths ?? {};
      const listed = Object.entries(paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\/$/, "") || "/"}`),
      );
      const unlisted = served(router).filter((op) => !DOCUMENT_ENDPOINTS.has(op) && !coveredBy(listed)(op));
      expect(unlisted).toEqual([]);
      expect(listed.length).toBeGreaterThan(0);
    });
  }
});
