import { describe, expect, it } from "vitest";
import { call } from "./helpers";

const ZITI_META = { apiEnrollmentVersion: "0.0.1", apiVersion: "0.0.1" };

describe("404 in each face's own shape", () => {
  it("native", async () => {
    const res = await call("/api/v1/nope");
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body).toEqual({
      error: {
        code: "not_found",
        message: "Resource not found",
        request_id: res.headers.get("x-request-id"),
        details: null,
      },
    });
  });

  it("ziti", async () => {
    const res = await call("/edge/client/v1/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        args: { urlVars: {} },
        cause: null,
        causeMessage: "",
        code: "NOT_FOUND",
        message: "The resource requested was not found or is no longer available",
        requestId: res.headers.get("x-request-id"),
      },
      meta: ZITI_META,
    });
  });

  it("ctrl-exec", async () => {
    const res = await call("/x");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: "not found", detail: "no route for GET /x" });
  });

  it("ctrl-exec has no trailing-slash tolerance", async () => {
    const res = await call("/health/");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: "not found", detail: "no route for GET /health/" });
  });

  it("zentral", async () => {
    const res = await call("/api/task_result/nope/");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not found." });
  });
});

describe("405 where the face has one", () => {
  it("ziti answers METHOD_NOT_ALLOWED with Allow", async () => {
    const res = await call("/edge/client/v1/version", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("METHOD_NOT_ALLOWED");
  });

  it("native answers method_not_allowed with Allow", async () => {
    const res = await call("/api/v1/openapi.json", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("method_not_allowed");
  });

  it("ctrl-exec routes by exact method and path: 404, not 405", async () => {
    const res = await call("/health", { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: "not found", detail: "no route for POST /health" });
  });
});

describe("request ids", () => {
  it("every response carries X-Request-Id", async () => {
    for (const path of [
      "/health",
      "/api/v1/nope",
      "/edge/client/v1/version",
      "/api/task_result/x/",
      "/status/health",
    ]) {
      const res = await call(path);
      expect(res.headers.get("x-request-id"), path).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("a well-formed incoming X-Request-Id is kept as X-Correlation-Id; the request id is the server's own (issue 11)", async () => {
    const res = await call("/health", { headers: { "x-request-id": "ci-run-42.step_3" } });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-correlation-id")).toBe("ci-run-42.step_3");
  });

  it("a malformed incoming X-Request-Id is replaced", async () => {
    const res = await call("/health", { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-correlation-id")).toBeNull();
  });

  it("the Ziti error body repeats the server's request id", async () => {
    const res = await call("/edge/client/v1/nope", { headers: { "x-request-id": "abc-123" } });
    const body = (await res.json()) as { error: { requestId: string } };
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
    expect(body.error.requestId).not.toBe("abc-123");
  });
});

describe("health and version", () => {
  it("ctrl-exec GET /health", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ ok: true, version: "0.1.0" });
  });

  it("ctrl-exec GET / lists the endpoints it serves", async () => {
    const res = await call("/");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { name: string; endpoints: { method: string; path: string }[] };
    expect(body.name).toBe("ctrl-exec-api");
    expect(body.endpoints).toContainEqual({ method: "GET", path: "/health" });
  });

  it("native GET /status/health", async () => {
    const res = await call("/status/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ service: "fleetgate", version: "0.1.0", status: "healthy", database: "ok" });
  });

  for (const path of ["/edge/client/v1/version", "/version", "/edge/v1/version"]) {
    it(`ziti GET ${path}`, async () => {
      const res = await call(path);
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        data: { apiVersions: Record<string, Record<string, { path: string; apiBaseUrls: string[] }>> };
        meta: unknown;
      };
      expect(body.meta).toEqual({});
      expect(body.data.apiVersions["edge-client"]?.v1).toEqual({
        path: "/edge/client/v1",
        apiBaseUrls: ["http://127.0.0.1/edge/client/v1"],
      });
    });
  }

  it("the legacy rewrite never takes another face's paths", async () => {
    const res = await call("/health");
    expect(await res.json()).toEqual({ ok: true, version: "0.1.0" });
  });
});
