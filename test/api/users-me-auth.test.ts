import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call } from "./helpers";

// Access-token authentication reads identity, groups, the session's end and the MFA state in one
// statement (identity/access-lookup.query.ts): every fact is as fresh as the request.
const me = (access: string) => call("/api/v1/users/me", { headers: bearer(access) });

describe("GET /users/me: what the authentication read is current on every request", () => {
  it("mfa_enabled turns true on the next request with the same access token", async () => {
    const u = await userWithRole("reporter");
    const before = await me(u.session.access);
    expect(before.status).toBe(200);
    expect(((await before.json()) as { mfa_enabled: boolean }).mfa_enabled).toBe(false);
    const setup = (await (await call("/api/v1/auth/mfa/setup", { headers: bearer(u.session) })).json()) as {
      secret_base32: string;
    };
    // Set up but not verified: still false.
    expect(((await (await me(u.session.access)).json()) as { mfa_enabled: boolean }).mfa_enabled).toBe(false);
    const code = new TOTP({ secret: Secret.fromBase32(setup.secret_base32) }).generate();
    const verify = await call("/api/v1/auth/mfa/verify", {
      method: "POST",
      headers: bearer(u.session),
      json: { secret_base32: setup.secret_base32, code, password: u.password },
    });
    expect(verify.status).toBe(200);
    const after = (await (await me(u.session.access)).json()) as { id: string; username: string; mfa_enabled: boolean };
    expect(after).toMatchObject({ id: u.id, username: u.username, mfa_enabled: true });
  });

  it("the access token of a sign-in that logged out is refused on the next request", async () => {
    const u = await userWithRole("operator");
    expect((await me(u.session.access)).status).toBe(200);
    const out = await call("/api/v1/auth/logout", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(out.status).toBe(200);
    expect((await me(u.session.access)).status).toBe(401);
  });

  it("a role change applies to the next request of the same access token", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("reporter");
    expect(((await (await me(u.session.access)).json()) as { role: string }).role).toBe("reporter");
    const res = await call(`/api/v1/users/${u.id}`, {
      method: "PUT",
      headers: bearer(admin),
      json: { role: "operator" },
    });
    expect(res.status).toBe(200);
    expect(((await (await me(u.session.access)).json()) as { role: string }).role).toBe("operator");
  });

  it("an access token naming an identity that does not exist is refused", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("reporter");
    const del = await call(`/api/v1/users/${u.id}`, { method: "DELETE", headers: bearer(admin) });
    expect(del.status).toBe(200);
    expect((await me(u.session.access)).status).toBe(401);
  });
});
