import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../auth/session";
import { AuthenticationError, api, ConflictError, ok, sessionFetch, ValidationError } from "./client";

const USER = { id: "u1", username: "ada", display_name: null, role: "admin", mfa_enabled: false };
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("the dashboard's SDK client", () => {
  it("sends nothing once signed out and answers with the SDK's AuthenticationError", async () => {
    await session.logout().catch(() => undefined);
    const fetch = vi.fn(async () => json(200, {}));
    vi.stubGlobal("fetch", fetch);
    const err = await ok(api.GET("/hosts/{id}", { params: { path: { id: "h1" } } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("maps the native error body to typed errors with the server's code and message", async () => {
    session.signedIn({ access_token: "a1", expires_in: 900, user: USER });
    vi.stubGlobal("fetch", async () => json(409, { error: { code: "conflict", message: "Name taken" } }));
    const err = await ok(api.POST("/groups", { body: { name: "web" } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, code: "conflict", message: "Name taken" });
    vi.stubGlobal("fetch", async () => json(422, { error: { code: "validation_error", message: "bad" } }));
    await expect(ok(api.POST("/groups", { body: { name: "" } }))).rejects.toBeInstanceOf(ValidationError);
  });

  it("on concurrent 401s refreshes through the cookie once and retries each request with the new token", async () => {
    session.signedIn({ access_token: "old", expires_in: 900, user: USER });
    vi.spyOn(session, "hasCookie").mockReturnValue(true);
    let refreshes = 0;
    const seen: string[] = [];
    vi.stubGlobal("fetch", async (input: Request | string) => {
      const req = typeof input === "string" ? new Request(new URL(input, "http://localhost")) : input;
      if (new URL(req.url).pathname === "/api/v1/auth/refresh") {
        refreshes++;
        await new Promise((r) => setTimeout(r, 5));
        return json(200, { access_token: "new", expires_in: 900, user: USER });
      }
      const auth = req.headers.get("Authorization") ?? "";
      seen.push(auth);
      return auth === "Bearer new" ? json(200, { id: "h1" }) : json(401, { error: { code: "unauthorized" } });
    });
    const results = await Promise.all([
      sessionFetch(new Request("http://localhost/api/v1/hosts/h1")),
      sessionFetch(new Request("http://localhost/api/v1/hosts/h2")),
      sessionFetch(new Request("http://localhost/api/v1/hosts/h3")),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
    expect(seen.filter((s) => s === "Bearer new")).toHaveLength(3);
    expect(session.token()).toBe("new");
  });
});
