import { Scalar } from "@scalar/hono-api-reference";
import type { Router } from "../../lib/router";

const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { token: [] }];

/** Serves the generated OpenAPI 3.1 document and a browsable reference page. */
export function mountNativeDocs(v1: Router): void {
  v1.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Access JWT from POST /api/v1/auth/login",
  });
  v1.openAPIRegistry.registerComponent("securitySchemes", "token", {
    type: "apiKey",
    in: "header",
    name: "Authorization",
    description: "`Token ztlu_…` or `Token ztls_…` API token",
  });
  v1.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Fleetgate native API",
      version: c.env.FLEETGATE_VERSION,
      description: "Fleetgate's management API, compatible with Linux Patch Manager's /api/v1.",
    },
    servers: [{ url: `${new URL(c.req.url).origin}/api/v1` }],
    security: SECURITY,
  }));
  v1.get("/docs", Scalar({ url: "/api/v1/openapi.json", pageTitle: "Fleetgate API reference" }));
}
