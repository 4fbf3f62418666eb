import { validate } from "@readme/openapi-parser";
import { describe, expect, inject, it } from "vitest";

const base = () => inject("baseUrl");

describe("the real dev server", () => {
  it("serves ctrl-exec /health", async () => {
    const res = await fetch(`${base()}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, version: "0.1.0" });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("reaches D1 with migrations applied (native /status/health)", async () => {
    const res = await fetch(`${base()}/status/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ service: "fleetgate", version: "0.1.0", status: "healthy", database: "ok" });
  });

  it("serves the Ziti version on the legacy path with its own base URL", async () => {
    const res = await fetch(`${base()}/version`);
    const body = (await res.json()) as { data: { apiVersions: Record<string, { v1: { apiBaseUrls: string[] } }> } };
    expect(body.data.apiVersions["edge-client"]?.v1.apiBaseUrls).toEqual([`${base()}/edge/client/v1`]);
  });

  it("native OpenAPI document is valid OpenAPI 3.1", async () => {
    const res = await fetch(`${base()}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string };
    expect(doc.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it("native reference page is served", async () => {
    const res = await fetch(`${base()}/api/v1/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("/api/v1/openapi.json");
  });
});

describe("the Ziti face's own OpenAPI document", () => {
  it("is listed under /edge/client/v1/specs and is valid OpenAPI 3.1", async () => {
    const list = (await (await fetch(`${base()}/edge/client/v1/specs`)).json()) as { data: { id: string }[] };
    expect(list.data.map((s) => s.id)).toContain("edge-client");
    const doc = (await (await fetch(`${base()}/edge/client/v1/specs/edge-client/spec`)).json()) as { openapi: string };
    expect(doc.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });
});
