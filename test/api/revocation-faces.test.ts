import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call } from "./helpers";

const TASK = `/api/task_result/${crypto.randomUUID()}/`;

/** One credential, every face that accepts it: native, Ziti (`Token` on current-identity), Zentral. */
async function probe(authorization: string) {
  const headers = { authorization };
  return {
    native: (await call("/api/v1/users/me", { headers })).status,
    ziti: (await call("/edge/client/v1/current-identity", { headers })).status,
    zentral: (await call(TASK, { headers })).status,
  };
}

describe("revocation takes effect on the next request on every face", () => {
  it("a deleted API token", async () => {
    const u = await userWithRole("operator");
    const created = await call("/api/v1/tokens", {
      method: "POST",
      headers: bearer(u.session),
      json: { name: "everywhere" },
    });
    const { id, secret } = (await created.json()) as { id: string; secret: string };
    expect(await probe(`Token ${secret}`)).toEqual({ native: 200, ziti: 200, zentral: 200 });
    await call(`/api/v1/tokens/${id}`, { method: "DELETE", headers: bearer(u.session) });
    expect(await probe(`Token ${secret}`)).toEqual({ native: 401, ziti: 401, zentral: 401 });
  });

  it("a disabled user: API token and access JWT refused everywhere", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("operator");
    const created = await call("/api/v1/tokens", { method: "POST", headers: bearer(u.session), json: { name: "t" } });
    const { secret } = (await created.json()) as { secret: string };
    expect((await probe(`Token ${secret}`)).native).toBe(200);
    await call(`/api/v1/users/${u.id}`, { method: "PUT", headers: bearer(admin), json: { is_active: false } });
    const tokenProbe = await probe(`Token ${secret}`);
    // Disabling deletes the user's API tokens (so re-enabling cannot revive them): unknown token → 401.
    expect(tokenProbe.native).toBe(401);
    expect(tokenProbe.ziti).toBe(401);
    expect(tokenProbe.zentral).toBe(401);
    expect((await call("/api/v1/users/me", { headers: bearer(u.session) })).status).toBe(403);
    expect((await call(TASK, { headers: bearer(u.session) })).status).toBe(401);
  });

  it("POST /users/{id}/revoke: the access JWT and the Ziti session stop working", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("operator");
    const auth = await call("/edge/client/v1/authenticate?method=password", {
      method: "POST",
      json: { username: u.username, password: u.password },
    });
    const zt = ((await auth.json()) as { data: { token: string } }).data.token;
    expect((await call("/edge/client/v1/current-api-session", { headers: { "zt-session": zt } })).status).toBe(200);
    await call(`/api/v1/users/${u.id}/revoke`, { method: "POST", headers: bearer(admin) });
    expect((await call("/edge/client/v1/current-api-session", { headers: { "zt-session": zt } })).status).toBe(401);
    expect((await call("/api/v1/users/me", { headers: bearer(u.session) })).status).toBe(401);
    expect((await call(TASK, { headers: bearer(u.session) })).status).toBe(401);
  });
});
