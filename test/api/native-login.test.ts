import { env } from "cloudflare:workers";
import { currentTotp } from "@fleetgate/auth";
import { describe, expect, it } from "vitest";
import { ADMIN, adminLogin, bearer, login, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  call(path, { method: "POST", json, headers });
const errorOf = nativeError;

describe("login: refusals first", () => {
  it("wrong password → 401 invalid_credentials", async () => {
    const res = await post("/api/v1/auth/login", { username: ADMIN.username, password: "nope-Nope-1!" });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toEqual({ code: "invalid_credentials", message: "Invalid username or password" });
  });

  it("unknown username → the same 401 body", async () => {
    const res = await post("/api/v1/auth/login", { username: "nobody-here", password: "nope-Nope-1!" });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toEqual({ code: "invalid_credentials", message: "Invalid username or password" });
  });

  it("malformed JSON → 400 in the native shape", async () => {
    const res = await call("/api/v1/auth/login", {
      method: "POST",
      body: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("bad_request");
  });

  it("wrong content type → 415", async () => {
    const res = await call("/api/v1/auth/login", {
      method: "POST",
      body: "username=a",
      headers: { "content-type": "text/plain" },
    });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe("unsupported_media_type");
  });

  it("missing fields / wrong types → 400 validation_error", async () => {
    const res = await post("/api/v1/auth/login", { username: 42 });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("validation_error");
  });

  it("five consecutive failures lock the account (423), even for the right password, and it unlocks after 30 min", async () => {
    const u = await userWithRole("operator");
    for (let i = 0; i < 5; i++) {
      const res = await post("/api/v1/auth/login", { username: u.username, password: "Wrong-Pass-9!" });
      expect(res.status).toBe(401);
    }
    const locked = await post("/api/v1/auth/login", { username: u.username, password: u.password });
    expect(locked.status).toBe(423);
    expect((await errorOf(locked)).code).toBe("account_locked");
    // Thirty minutes later (moved in the database, not by sleeping):
    await env.DB.prepare("UPDATE identities SET locked_until = ? WHERE id = ?")
      .bind(Date.now() - 1, u.id)
      .run();
    const ok = await post("/api/v1/auth/login", { username: u.username, password: u.password });
    expect(ok.status).toBe(200);
  });

  it("a disabled account → 403 account_disabled, and its live token stops working", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("reporter");
    const upd = await call(`/api/v1/users/${u.id}`, {
      method: "PUT",
      headers: bearer(admin),
      json: { is_active: false },
    });
    expect(upd.status).toBe(200);
    const res = await post("/api/v1/auth/login", { username: u.username, password: u.password });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("account_disabled");
    const me = await call("/api/v1/users/me", { headers: bearer(u.session) });
    expect(me.status).toBe(403);
  });

  it("force_password_reset → 403 password_reset_required, then force-change-password works", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("operator");
    await call(`/api/v1/users/${u.id}/password`, {
      method: "PUT",
      headers: bearer(admin),
      json: { new_password: "Temp-Pass-1!", force_password_reset: true },
    });
    const res = await post("/api/v1/auth/login", { username: u.username, password: "Temp-Pass-1!" });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("password_reset_required");
    const weak = await post("/api/v1/auth/force-change-password", {
      username: u.username,
      current_password: "Temp-Pass-1!",
      new_password: "short",
    });
    expect(weak.status).toBe(400);
    expect(await errorOf(weak)).toEqual({ code: "weak_password", message: "Password must be at least 8 characters" });
    const changed = await post("/api/v1/auth/force-change-password", {
      username: u.username,
      current_password: "Temp-Pass-1!",
      new_password: "Brand-New-Pass-2!",
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ message: "Password changed successfully" });
    await login(u.username, "Brand-New-Pass-2!");
  });
});

describe("login success", () => {
  it("returns the LoginResponse shape", async () => {
    const res = await post("/api/v1/auth/login", { username: ADMIN.username, password: ADMIN.password });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["access_token", "expires_in", "refresh_token", "token_type", "user"]);
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(900);
    expect(body.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(body.user as object).sort()).toEqual(["display_name", "id", "mfa_enabled", "role", "username"]);
  });

  it("the access JWT is EdDSA with a published kid, iss/aud set", async () => {
    const s = await login();
    const [h, p] = s.access.split(".");
    const header = JSON.parse(atob((h ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as { alg: string; kid: string };
    const payload = JSON.parse(atob((p ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    expect(header.alg).toBe("EdDSA");
    expect(payload.iss).toBe("http://127.0.0.1");
    expect(payload.aud).toBe("http://127.0.0.1/api/v1");
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    const jwks = (await (await call("/.well-known/jwks.json")).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });
});

describe("MFA on the native face", () => {
  async function enrol() {
    const u = await userWithRole("operator");
    const setup = (await (await call("/api/v1/auth/mfa/setup", { headers: bearer(u.session) })).json()) as {
      secret_base32: string;
      otp_uri: string;
    };
    expect(setup.otp_uri).toMatch(/^otpauth:\/\/totp\//);
    const now = Date.now();
    const verify = await post(
      "/api/v1/auth/mfa/verify",
      { secret_base32: setup.secret_base32, code: currentTotp(setup.secret_base32, now), password: u.password },
      bearer(u.session),
    );
    expect(verify.status).toBe(200);
    const body = (await verify.json()) as { message: string; recovery_codes: string[] };
    expect(body.message).toBe("MFA enabled successfully");
    expect(body.recovery_codes).toHaveLength(10);
    return { ...u, secret: setup.secret_base32, enrolledAt: now, recovery: body.recovery_codes };
  }

  it("a wrong code does not enable MFA", async () => {
    const u = await userWithRole("operator");
    const setup = (await (await call("/api/v1/auth/mfa/setup", { headers: bearer(u.session) })).json()) as {
      secret_base32: string;
    };
    const res = await post(
      "/api/v1/auth/mfa/verify",
      { secret_base32: setup.secret_base32, code: "000000", password: u.password },
      bearer(u.session),
    );
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({ code: "invalid_code", message: "Invalid TOTP code" });
  });

  it("login without a code → 401 mfa_required; with the next code → 200", async () => {
    const u = await enrol();
    const res = await post("/api/v1/auth/login", { username: u.username, password: u.password });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toEqual({ code: "mfa_required", message: "MFA code required" });
    await login(u.username, u.password, currentTotp(u.secret, u.enrolledAt + 30_000));
  });

  it("a replayed code is refused (RFC 6238 §5.2)", async () => {
    const u = await enrol();
    const code = currentTotp(u.secret, u.enrolledAt + 30_000);
    await login(u.username, u.password, code);
    const replay = await post("/api/v1/auth/login", { username: u.username, password: u.password, totp_code: code });
    expect(replay.status).toBe(401);
    expect((await errorOf(replay)).code).toBe("invalid_credentials");
  });

  it("the code used to enable MFA cannot log in", async () => {
    const u = await enrol();
    const res = await post("/api/v1/auth/login", {
      username: u.username,
      password: u.password,
      totp_code: currentTotp(u.secret, u.enrolledAt),
    });
    expect(res.status).toBe(401);
  });

  it("a code two steps old is refused", async () => {
    const u = await enrol();
    const old = currentTotp(u.secret, Date.now() - 60_000);
    const res = await post("/api/v1/auth/login", { username: u.username, password: u.password, totp_code: old });
    expect(res.status).toBe(401);
  });

  it("a recovery code works once in place of totp_code", async () => {
    const u = await enrol();
    const code = u.recovery[0] ?? "";
    await login(u.username, u.password, code);
    const again = await post("/api/v1/auth/login", { username: u.username, password: u.password, totp_code: code });
    expect(again.status).toBe(401);
  });

  it("DELETE /auth/mfa needs the current password", async () => {
    const u = await enrol();
    const s = await login(u.username, u.password, u.recovery[1]);
    const bad = await call("/api/v1/auth/mfa", {
      method: "DELETE",
      headers: bearer(s),
      json: { password: "Wrong-Pass-1!" },
    });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toEqual({ code: "invalid_password", message: "Current password is incorrect" });
    const ok = await call("/api/v1/auth/mfa", { method: "DELETE", headers: bearer(s), json: { password: u.password } });
    expect(ok.status).toBe(200);
    await login(u.username, u.password);
  });

  it("the TOTP secret is stored encrypted, recovery codes only as hashes", async () => {
    const u = await enrol();
    const row = await env.DB.prepare("SELECT secret_enc FROM mfa WHERE identity_id = ?")
      .bind(u.id)
      .first<{ secret_enc: string }>();
    expect(row?.secret_enc).toMatch(/^v1\./);
    expect(row?.secret_enc).not.toContain(u.secret);
    const codes = await env.DB.prepare("SELECT code_hash FROM recovery_codes WHERE identity_id = ?")
      .bind(u.id)
      .all<{ code_hash: string }>();
    expect(codes.results).toHaveLength(10);
    for (const c of codes.results) expect(u.recovery).not.toContain(c.code_hash);
  });
});
