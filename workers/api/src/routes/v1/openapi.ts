import { Scalar } from "@scalar/hono-api-reference";
import { headerKey, type Router, registerSecuritySchemes } from "../../lib/router";

const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { token: [] }];

/** Serves the generated OpenAPI 3.1 document and a browsable reference page. */
export function mountNativeDocs(v1: Router): void {
  registerSecuritySchemes(v1, {
    bearer: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
      description: "Access JWT from POST /api/v1/auth/login",
    },
    token: headerKey("Authorization", "`Token ztlu_…` or `Token ztls_…` API token"),
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
