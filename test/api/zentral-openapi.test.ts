import { describe, expect, it } from "vitest";
import { call } from "./helpers";

describe("Zentral face: served document", () => {
  it("GET /api/openapi.json lists the face's three operations, generated from the validating schemas", async () => {
    const res = await call("/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId?: string }>>;
      components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
    };
    expect(doc.openapi).toBe("3.1.0");
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method} ${path} ${op.operationId}`),
    );
    expect(ops.sort()).toEqual([
      "get /task_result/{id}/ getTaskResult",
      "get /task_result/{id}/download/ downloadTaskResult",
      "post /accounts/token_issuers/oidc/{id}/auth/ exchangeOidcToken",
    ]);
    expect(doc.components.schemas.TokenExchangeRequest?.properties?.validity).toMatchObject({
      type: "integer",
      minimum: 30,
      maximum: 604800,
    });
  });

  it("the document route does not shadow the face's 404 for other paths", async () => {
    const res = await call("/api/task_result/not-a-uuid/");
    expect(res.status).toBe(404);
  });
});
