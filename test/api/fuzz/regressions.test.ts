import { describe, expect, it } from "vitest";
import { call } from "../helpers";

/** Shrunk counter-examples from fuzz.test.ts, kept as regular tests. */
describe("fuzz regressions", () => {
  it("GET /edge/client/v1/../.. normalises to /edge/ and answers Ziti's 404 shape", async () => {
    const res = await call("/edge/client/v1/../..");
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string }; meta: unknown };
    expect(body.error.code).toBe("NOT_FOUND");
    expect(body.meta).toBeTypeOf("object");
  });

  it("an oversized body on an unknown Ziti path → 413 or 404 in Ziti's shape, never 5xx", async () => {
    const res = await call("/edge/client/v1/x/y", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(1024 * 1024 + 1),
    });
    expect([404, 413]).toContain(res.status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^[A-Z_]+$/);
  });

  it("a JSON body nested 3000 levels deep → 400 in the native shape", async () => {
    const body = `${"[".repeat(3000)}1${"]".repeat(3000)}`;
    const res = await call("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("validation_error");
  });

  it("prototype keys in a body do not grant anything (native login stays 400/401)", async () => {
    const res = await call("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"__proto__":{"role":"admin"},"username":"admin","password":"x"}',
    });
    expect(res.status).toBe(401);
  });

  it("GET /api/v1/sso/callback without SSO configured → a 302 with ?error=, not a 5xx", async () => {
    const res = await call("/api/v1/sso/callback", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location") ?? "", "http://x").searchParams.get("error")).toBeTruthy();
  });

  it("a Ziti validation error whose value is nested 3000 levels deep → 400, the echoed value bounded (was a 500)", async () => {
    const deep = `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`;
    const res = await call("/edge/client/v1/authenticate?method=password", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"username":${deep},"password":"secret-value-1"}`,
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain("secret-value-1");
    expect(text.length).toBeLessThan(4096);
    const body = JSON.parse(text) as {
      error: { code: string; cause: { field: string; value: unknown } };
      meta: unknown;
    };
    expect(body.error.cause.field).toBe("username");
    expect(JSON.stringify(body.error.cause.value)).toContain("…");
  });
});
