import { describe, expect, it } from "vitest";
import { userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

/** The dashboard's refresh cookie (docs/dashboard.md): set on login/refresh, read when the body has no token. */

const cookieOf = (res: Response): string | undefined =>
  res.headers.getSetCookie().find((c) => c.startsWith("__Host-fg_refresh="));
const tokenIn = (setCookie: string | undefined) => setCookie?.split(";")[0]?.split("=")[1] ?? "";
const withCookie = (token: string) => ({ cookie: `__Host-fg_refresh=${token}` });

async function loginFor(role: "reporter" | "operator" = "reporter") {
  const u = await userWithRole(role);
  const res = await call("/api/v1/auth/login", {
    method: "POST",
    json: { username: u.username, password: u.password },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { refresh_token: string };
  return { u, res, body };
}

describe("refresh cookie", () => {
  it("login sets an HttpOnly, Secure, SameSite=Strict __Host- cookie holding the body's refresh token", async () => {
    const { res, body } = await loginFor();
    const c = cookieOf(res);
    expect(c).toBeDefined();
    expect(tokenIn(c)).toBe(body.refresh_token);
    const attrs = (c ?? "").split(";").map((a) => a.trim().toLowerCase());
    expect(attrs).toEqual(expect.arrayContaining(["path=/", "httponly", "secure", "samesite=strict", "max-age=3600"]));
    expect(attrs.some((a) => a.startsWith("domain="))).toBe(false);
    // The script-readable flag says only that a session exists.
    const flag = res.headers.getSetCookie().find((x) => x.startsWith("__Host-fg_session="));
    expect(flag?.split(";")[0]).toBe("__Host-fg_session=1");
    expect(flag?.toLowerCase()).not.toContain("httponly");
  });

  it("refresh with only the cookie rotates it; the rotated-out cookie is then reuse (401) and kills the family", async () => {
    const { body } = await loginFor();
    const first = await call("/api/v1/auth/refresh", {
      method: "POST",
      headers: withCookie(body.refresh_token),
      json: {},
    });
    expect(first.status).toBe(200);
    const next = tokenIn(cookieOf(first));
    expect(next).toMatch(/^[0-9a-f]{64}$/);
    expect(next).not.toBe(body.refresh_token);
    expect(((await first.json()) as { refresh_token: string }).refresh_token).toBe(next);
    const reuse = await call("/api/v1/auth/refresh", {
      method: "POST",
      headers: withCookie(body.refresh_token),
      json: {},
    });
    expect(reuse.status).toBe(401);
    expect((await nativeError(reuse)).code).toBe("invalid_refresh_token");
    const after = await call("/api/v1/auth/refresh", { method: "POST", headers: withCookie(next), json: {} });
    expect(after.status).toBe(401);
  });

  it("the body field wins over the cookie (API clients unchanged)", async () => {
    const a = await loginFor();
    const b = await loginFor();
    const res = await call("/api/v1/auth/refresh", {
      method: "POST",
      headers: withCookie(b.body.refresh_token),
      json: { refresh_token: a.body.refresh_token },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { username: string } }).user.username).toBe(a.u.username);
    // b's token was not touched: it still refreshes once.
    const bRes = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: b.body.refresh_token } });
    expect(bRes.status).toBe(200);
  });

  it("neither body token nor cookie → 400 validation, as before", async () => {
    for (const path of ["/api/v1/auth/refresh", "/api/v1/auth/logout"]) {
      const res = await call(path, { method: "POST", json: {} });
      expect(res.status).toBe(400);
      const err = await nativeError(res);
      expect(err.message).toContain("refresh_token");
    }
  });

  it("an oversized cookie is ignored, not passed on", async () => {
    const res = await call("/api/v1/auth/refresh", { method: "POST", headers: withCookie("a".repeat(300)), json: {} });
    expect(res.status).toBe(400);
  });

  it("logout with the cookie revokes the family and clears the cookie", async () => {
    const { body } = await loginFor();
    const out = await call("/api/v1/auth/logout", {
      method: "POST",
      headers: withCookie(body.refresh_token),
      json: {},
    });
    expect(out.status).toBe(200);
    expect(cookieOf(out)?.toLowerCase()).toContain("max-age=0");
    expect(
      out.headers
        .getSetCookie()
        .find((x) => x.startsWith("__Host-fg_session="))
        ?.toLowerCase(),
    ).toContain("max-age=0");
    const res = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: body.refresh_token } });
    expect(res.status).toBe(401);
  });

  it("a form post (not JSON) carrying the cookie is refused: no cross-site form can refresh", async () => {
    const { body } = await loginFor();
    const res = await call("/api/v1/auth/refresh", {
      method: "POST",
      headers: { ...withCookie(body.refresh_token), "content-type": "application/x-www-form-urlencoded" },
      body: "a=b",
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(cookieOf(res)).toBeUndefined();
  });
});
