import { describe, expect, it } from "vitest";
import { call } from "./helpers";

const big = "x".repeat(1024 * 1024 + 1);

describe("oversized bodies get 413 in each face's shape", () => {
  it("ctrl-exec", async () => {
    const res = await call("/run", { method: "POST", body: big, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ ok: false, error: "payload too large", detail: "body exceeds 1048576 bytes" });
  });

  it("native", async () => {
    const res = await call("/api/v1/anything", {
      method: "POST",
      body: big,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("payload_too_large");
  });

  it("ziti", async () => {
    const res = await call("/edge/client/v1/authenticate?method=password", {
      method: "POST",
      body: big,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("REQUEST_ENTITY_TOO_LARGE");
  });

  it("zentral", async () => {
    const res = await call("/api/accounts/token_issuers/oidc/00000000-0000-4000-8000-000000000000/auth/", {
      method: "POST",
      body: big,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: "Request body exceeds 1048576 bytes." });
  });
});
