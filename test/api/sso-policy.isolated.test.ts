import { Secret, TOTP } from "otpauth";
import { afterEach, describe, expect, it } from "vitest";
import { adminLogin, bearer, login, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const put = async (json: unknown, headers?: Record<string, string>) =>
  call("/api/v1/settings", { method: "PUT", headers: headers ?? bearer(await adminLogin()), json });
const passwordLogin = (username: string, password: string, totp_code?: string) =>
  call("/api/v1/auth/login", { method: "POST", json: { username, password, totp_code } });

/** Enrolls MFA; returns a recovery code (a TOTP step already used at enrolment cannot be used again). */
async function enrollMfa(session: { access: string }, password: string): Promise<string> {
  const setup = (await (await call("/api/v1/auth/mfa/setup", { headers: bearer(session.access) })).json()) as {
    secret_base32: string;
  };
  const totp = new TOTP({ secret: Secret.fromBase32(setup.secret_base32) });
  const res = await call("/api/v1/auth/mfa/verify", {
    method: "POST",
    headers: bearer(session.access),
    json: { secret_base32: setup.secret_base32, code: totp.generate(), password },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { recovery_codes: string[] }).recovery_codes[0] ?? "";
}

describe("sso_policy", () => {
  let reset: Record<string, string> | undefined;
  afterEach(async () => {
    await put({ sso_policy: { sso_only: false, mfa_required: "off" }, oidc: { enabled: false } }, reset);
    reset = undefined;
  });

  it("sso_only needs SSO enabled", async () => {
    const res = await put({ sso_policy: { sso_only: true } });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).message).toMatch(/needs SSO enabled/);
  });

  it("sso_only: non-admins cannot log in with a password on any face; admins can (break-glass)", async () => {
    const rep = await userWithRole("reporter");
    const res = await put({
      oidc: { enabled: true, discovery_url: "https://idp.example.test", client_id: "fg" },
      sso_policy: { sso_only: true },
    });
    expect(res.status).toBe(200);
    const refused = await passwordLogin(rep.username, rep.password);
    expect(refused.status).toBe(403);
    expect(await nativeError(refused)).toEqual({
      code: "forbidden",
      message: "Password login is disabled for this account; sign in with SSO",
    });
    const ziti = await call("/edge/client/v1/authenticate?method=password", {
      method: "POST",
      json: { username: rep.username, password: rep.password },
    });
    expect(ziti.status).toBe(401);
    const admin = await passwordLogin("admin", "Admin-Pass-123!");
    expect(admin.status).toBe(200);
  });

  it("mfa_required: refused for an admin who has no MFA (no self lock-out)", async () => {
    const res = await put({ sso_policy: { mfa_required: "admins" } });
    expect(res.status).toBe(400);
    expect((await nativeError(res)).message).toMatch(/enroll MFA on your own account first/);
  });

  it("mfa_required everyone: password logins without enrolled MFA are refused", async () => {
    const adm = await userWithRole("admin");
    const recovery = await enrollMfa(adm.session, adm.password);
    const withMfa = await login(adm.username, adm.password, recovery);
    reset = bearer(withMfa);
    const res = await put({ sso_policy: { mfa_required: "everyone" } }, reset);
    expect(res.status).toBe(200);
    const rep = await userWithRole("reporter").catch((e: Error) => e);
    // userWithRole logs the new user in: refused by the policy.
    expect(String(rep)).toMatch(/403/);
  });
});
