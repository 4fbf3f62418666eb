import { describe, expect, it } from "vitest";
import { adminLogin, bearer, login, userWithRole } from "../auth-helpers";
import { call, nativeError } from "../helpers";

const token = (secret: string) => ({ authorization: `Token ${secret}` });
const DAY = 86_400_000;

async function mint(headers: Record<string, string>, json: Record<string, unknown> = { name: "t" }) {
  return call("/api/v1/tokens", { method: "POST", headers, json });
}

describe("finding 5: short-lived credentials cannot mint permanent tokens", () => {
  it("an API token cannot create an API token → 403", async () => {
    const u = await userWithRole("operator");
    const first = await mint(bearer(u.session));
    expect(first.status).toBe(201);
    const { secret } = (await first.json()) as { secret: string };
    const res = await mint(token(secret), { name: "child" });
    expect(res.status).toBe(403);
    expect((await nativeError(res)).code).toBe("forbidden");
    const list = (await (await call("/api/v1/tokens", { headers: bearer(u.session) })).json()) as unknown[];
    expect(list).toHaveLength(1);
  });

  it("an admin's API token cannot mint service-account tokens → 403", async () => {
    const admin = await adminLogin();
    const t = (await (await mint(bearer(admin), { name: "admin-t" })).json()) as { secret: string };
    const sa = await call("/api/v1/service-accounts", {
      method: "POST",
      headers: bearer(admin),
      json: { name: `sa-${Date.now().toString(36)}`, role: "operator" },
    });
    expect(sa.status).toBe(201);
    const { id } = (await sa.json()) as { id: string };
    const res = await call(`/api/v1/service-accounts/${id}/tokens`, {
      method: "POST",
      headers: token(t.secret),
      json: { name: "x" },
    });
    expect(res.status).toBe(403);
  });

  it("a token without expires_at gets the maximum lifetime (90 days)", async () => {
    const u = await userWithRole("reporter");
    const res = await mint(bearer(u.session));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { expires_at: string | null };
    expect(body.expires_at).not.toBeNull();
    const left = Date.parse(body.expires_at ?? "") - Date.now();
    expect(left).toBeGreaterThan(89 * DAY);
    expect(left).toBeLessThanOrEqual(90 * DAY);
  });

  it("expires_at beyond the maximum lifetime → 400 validation_error", async () => {
    const u = await userWithRole("reporter");
    const res = await mint(bearer(u.session), {
      name: "long",
      expires_at: new Date(Date.now() + 91 * DAY).toISOString(),
    });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).code).toBe("validation_error");
  });

  it("POST /users/{id}/revoke also ends the user's API tokens (and counts them)", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("operator");
    const { secret } = (await (await mint(bearer(u.session))).json()) as { secret: string };
    expect((await call("/api/v1/users/me", { headers: token(secret) })).status).toBe(200);
    const rev = await call(`/api/v1/users/${u.id}/revoke`, { method: "POST", headers: bearer(admin) });
    expect(rev.status).toBe(200);
    expect(((await rev.json()) as { count: number }).count).toBeGreaterThanOrEqual(2);
    const after = await call("/api/v1/users/me", { headers: token(secret) });
    expect(after.status).toBe(401);
  });

  it("disabling then re-enabling a user does not revive their API tokens", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("operator");
    const { secret } = (await (await mint(bearer(u.session))).json()) as { secret: string };
    for (const is_active of [false, true]) {
      const r = await call(`/api/v1/users/${u.id}`, { method: "PUT", headers: bearer(admin), json: { is_active } });
      expect(r.status).toBe(200);
    }
    expect((await call("/api/v1/users/me", { headers: token(secret) })).status).toBe(401);
  });
});

describe("Low: password change/reset end sessions and refresh families", () => {
  it("PUT /users/me/password ends the other sessions' access and refresh tokens", async () => {
    const u = await userWithRole("operator");
    const other = await login(u.username, u.password);
    const res = await call("/api/v1/users/me/password", {
      method: "PUT",
      headers: bearer(u.session),
      json: { current_password: u.password, new_password: "Changed-Pass-55!" },
    });
    expect(res.status).toBe(200);
    expect((await call("/api/v1/users/me", { headers: bearer(other) })).status).toBe(401);
    const refreshed = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: other.refresh } });
    expect(refreshed.status).toBe(401);
    await login(u.username, "Changed-Pass-55!");
  });

  it("an admin password reset ends the user's sessions", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("operator");
    const res = await call(`/api/v1/users/${u.id}/password`, {
      method: "PUT",
      headers: bearer(admin),
      json: { new_password: "Reset-Pass-66!" },
    });
    expect(res.status).toBe(200);
    expect((await call("/api/v1/users/me", { headers: bearer(u.session) })).status).toBe(401);
    expect(
      (await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: u.session.refresh } })).status,
    ).toBe(401);
  });

  it("an admin MFA reset ends the user's sessions", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("operator");
    const setup = (await (await call("/api/v1/auth/mfa/setup", { headers: bearer(u.session) })).json()) as {
      secret_base32: string;
    };
    const { currentTotp } = await import("@fleetgate/auth");
    const v = await call("/api/v1/auth/mfa/verify", {
      method: "POST",
      headers: bearer(u.session),
      json: {
        secret_base32: setup.secret_base32,
        code: currentTotp(setup.secret_base32, Date.now()),
        password: u.password,
      },
    });
    expect(v.status).toBe(200);
    const res = await call(`/api/v1/users/${u.id}/mfa`, { method: "DELETE", headers: bearer(admin) });
    expect(res.status).toBe(200);
    expect((await call("/api/v1/users/me", { headers: bearer(u.session) })).status).toBe(401);
  });
});
