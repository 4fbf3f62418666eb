import { describe, expect, it } from "vitest";
import { DIALECTS } from "../../workers/api/src/dialects";
import { operation, routerOf } from "../../workers/api/src/lib/route-set";
import type { Router } from "../../workers/api/src/lib/router";

/** `METHOD /path` of every handler a face's API router serves, in OpenAPI path syntax (`{id}`). */
function served(router: Router): string[] {
  const ops = router.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^/]*\})?/g, "{$1}").replace(/\/$/, "") || "/"}`);
  return [...new Set(ops)].sort();
}

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
  });
});
