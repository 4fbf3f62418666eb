import { env } from "cloudflare:workers";
import { currentTotp } from "@fleetgate/auth";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "../auth-helpers";
import { call, nativeError } from "../helpers";
import { authenticate, errorOf, zcall, ztSession } from "../ziti-helpers";
import { nativeMfaUser, STEP, wrongCode } from "./sec-helpers";

const mfaPost = (session: string, code: string) =>
  zcall("/authenticate/mfa", { method: "POST", session, json: { code } });
const nativeLoginRaw = (json: Record<string, unknown>) => call("/api/v1/auth/login", { method: "POST", json });

describe("finding 4: second-factor brute force", () => {
  it("Ziti: a partial session ends after 3 wrong codes (even the right code is refused afterwards)", async () => {
    const u = await nativeMfaUser();
    const s = await ztSession(u.username, u.password);
    for (let i = 0; i < 3; i++) expect((await mfaPost(s, wrongCode(u.secret))).status).toBe(401);
    const after = await mfaPost(s, currentTotp(u.secret, u.enrolledAt + STEP));
    expect(after.status).toBe(401);
    expect((await errorOf(after)).code).toBe("UNAUTHORIZED");
    expect((await zcall("/current-api-session", { session: s })).status).toBe(401);
  });

  it("Ziti: wrong codes count into the account lockout; signing in again with the password does not reset it", async () => {
    const u = await nativeMfaUser();
    const s1 = await ztSession(u.username, u.password);
    for (let i = 0; i < 3; i++) await mfaPost(s1, wrongCode(u.secret));
    const s2 = await ztSession(u.username, u.password);
    for (let i = 0; i < 2; i++) expect((await mfaPost(s2, wrongCode(u.secret))).status).toBe(401);
    // Five second-factor failures: the account is locked on every face, even with both right factors.
    const native = await nativeLoginRaw({
      username: u.username,
      password: u.password,
      totp_code: currentTotp(u.secret, u.enrolledAt + STEP),
    });
    expect(native.status).toBe(423);
    expect((await nativeError(native)).code).toBe("account_locked");
    const ziti = await authenticate(u.username, u.password);
    expect(ziti.status).toBe(401);
    const row = await env.DB.prepare("SELECT locked_until FROM identities WHERE id = ?")
      .bind(u.id)
      .first<{ locked_until: number | null }>();
    expect(row?.locked_until ?? 0).toBeGreaterThan(Date.now());
  });

  it("Ziti: an open partial session of a locked account cannot complete MFA", async () => {
    const u = await nativeMfaUser();
    const s = await ztSession(u.username, u.password);
    await env.DB.prepare("UPDATE identities SET locked_until = ? WHERE id = ?")
      .bind(Date.now() + 60_000, u.id)
      .run();
    const res = await mfaPost(s, currentTotp(u.secret, u.enrolledAt + STEP));
    expect(res.status).toBe(401);
    expect((await zcall("/current-identity", { session: s })).status).toBe(401);
  });

  it("Ziti: a wrong mfa-validation-code on DELETE /current-identity/mfa counts into the lockout", async () => {
    const u = await nativeMfaUser();
    const s = await ztSession(u.username, u.password);
    expect((await mfaPost(s, currentTotp(u.secret, u.enrolledAt + STEP))).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const res = await zcall("/current-identity/mfa", {
        method: "DELETE",
        session: s,
        headers: { "mfa-validation-code": wrongCode(u.secret) },
      });
      expect(res.status).toBe(401);
    }
    const row = await env.DB.prepare("SELECT locked_until FROM identities WHERE id = ?")
      .bind(u.id)
      .first<{ locked_until: number | null }>();
    expect(row?.locked_until ?? 0).toBeGreaterThan(Date.now());
  });

  it("native: force-change-password without the forced-reset flag → 401 and the password is unchanged", async () => {
    const u = await nativeMfaUser();
    const res = await call("/api/v1/auth/force-change-password", {
      method: "POST",
      json: { username: u.username, current_password: u.password, new_password: "Other-Pass-77!" },
    });
    expect(res.status).toBe(401);
    expect((await nativeError(res)).code).toBe("invalid_credentials");
    const old = await nativeLoginRaw({ username: u.username, password: "Other-Pass-77!" });
    expect(old.status).toBe(401);
  });

  it("native: force-change-password for an MFA user needs the second factor, and a wrong one counts", async () => {
    const u = await nativeMfaUser();
    const admin = await adminLogin();
    const reset = await call(`/api/v1/users/${u.id}/password`, {
      method: "PUT",
      headers: bearer(admin),
      json: { new_password: "Temp-Pass-1!", force_password_reset: true },
    });
    expect(reset.status).toBe(200);
    const body = { username: u.username, current_password: "Temp-Pass-1!", new_password: "Brand-New-Pass-2!" };
    const missing = await call("/api/v1/auth/force-change-password", { method: "POST", json: body });
    expect(missing.status).toBe(401);
    expect((await nativeError(missing)).code).toBe("mfa_required");
    const wrong = await call("/api/v1/auth/force-change-password", {
      method: "POST",
      json: { ...body, totp_code: wrongCode(u.secret) },
    });
    expect(wrong.status).toBe(401);
    const counted = await env.DB.prepare("SELECT failed_logins FROM identities WHERE id = ?")
      .bind(u.id)
      .first<{ failed_logins: number }>();
    expect(counted?.failed_logins).toBe(1);
    const ok = await call("/api/v1/auth/force-change-password", {
      method: "POST",
      json: { ...body, totp_code: currentTotp(u.secret, u.enrolledAt + STEP) },
    });
    expect(ok.status).toBe(200);
  });
});
