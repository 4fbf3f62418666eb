import { env } from "cloudflare:workers";
import { currentTotp } from "@fleetgate/auth";
import { describe, expect, it } from "vitest";
import { call } from "./helpers";
import { authenticate, body, errorOf, nativeLogin, nativeUser, secretOf, zcall, ztSession } from "./ziti-helpers";

const MFA_QUERY = {
  typeId: "MFA",
  provider: "ziti",
  httpMethod: "POST",
  httpUrl: "./authenticate/mfa",
  minLength: 4,
  // A recovery code (10 characters) must fit the advertised bounds, not only a 6-digit TOTP code.
  maxLength: 10,
  format: "alphaNumeric",
};
const STEP = 30_000;
const post = (path: string, session: string, json: unknown = undefined, headers: Record<string, string> = {}) =>
  zcall(path, { method: "POST", session, json, headers });

/** A six-digit code that is none of the codes valid around `now` (window ±1). */
function wrongCode(secret: string, now = Date.now()): string {
  const valid = new Set([-1, 0, 1, 2].map((k) => currentTotp(secret, now + k * STEP)));
  for (const candidate of ["000000", "111111", "222222", "333333", "444444"])
    if (!valid.has(candidate)) return candidate;
  return "555555";
}

/** A person with MFA enrolled on the native face; returns the secret and recovery codes. */
async function nativeMfaUser() {
  const u = await nativeUser();
  const access = await nativeLogin(u.username, u.password);
  const auth = { authorization: `Bearer ${access}` };
  const setup = (await (await call("/api/v1/auth/mfa/setup", { headers: auth })).json()) as { secret_base32: string };
  const enrolledAt = Date.now();
  const verify = await call("/api/v1/auth/mfa/verify", {
    method: "POST",
    headers: auth,
    json: {
      secret_base32: setup.secret_base32,
      code: currentTotp(setup.secret_base32, enrolledAt),
      password: u.password,
    },
  });
  expect(verify.status).toBe(200);
  const { recovery_codes } = (await verify.json()) as { recovery_codes: string[] };
  return { ...u, secret: setup.secret_base32, enrolledAt, recovery: recovery_codes };
}

describe("MFA: refusals", () => {
  it("second-factor attempts on one partial session: 401 twice, then the session ends", async () => {
    const u = await nativeMfaUser();
    const s = await ztSession(u.username, u.password);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await post("/authenticate/mfa", s, { code: wrongCode(u.secret) })).status);
    expect(codes).toEqual([401, 401, 401, 401]);
    // The fourth answer is the auth layer's: the partial session is gone.
    expect((await zcall("/current-api-session", { session: s })).status).toBe(401);
  });

  it("POST /authenticate/mfa without MFA → 409 MFA_NOT_ENROLLED", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const res = await post("/authenticate/mfa", s, { code: "123456" });
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toMatchObject({
      code: "MFA_NOT_ENROLLED",
      message: "The current identity is not enrolled in MFA",
    });
  });

  it("GET /current-identity/mfa and its QR code without an enrollment → 404", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    for (const path of ["/current-identity/mfa", "/current-identity/mfa/qr-code"]) {
      const res = await zcall(path, { session: s });
      expect(res.status, path).toBe(404);
      expect((await errorOf(res)).code).toBe("NOT_FOUND");
    }
  });

  it("verify without an enrollment → 404 MFA_ENROLLMENT_NOT_STARTED", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const res = await post("/current-identity/mfa/verify", s, { code: "123456" });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("MFA_ENROLLMENT_NOT_STARTED");
  });

  it("verify without a code → 400 COULD_NOT_VALIDATE", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const res = await post("/current-identity/mfa/verify", s, {});
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("COULD_NOT_VALIDATE");
  });

  it("recovery codes and DELETE without an enrollment → 404", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    expect((await zcall("/current-identity/mfa/recovery-codes", { session: s })).status).toBe(404);
    expect((await post("/current-identity/mfa/recovery-codes", s, { code: "123456" })).status).toBe(404);
    expect((await zcall("/current-identity/mfa", { method: "DELETE", session: s })).status).toBe(404);
  });
});

describe("MFA enrolled on the native face is enforced here", () => {
  it("the session is partial until POST /authenticate/mfa; only the allowed routes answer", async () => {
    const u = await nativeMfaUser();
    const res = await authenticate(u.username, u.password);
    expect(res.status).toBe(200);
    const s = res.headers.get("zt-session") ?? "";
    const { data } = await body(res);
    expect(data).toMatchObject({ isMfaRequired: true, isMfaComplete: false, authQueries: [MFA_QUERY] });

    // Everything outside the partial allowlist is 401 …
    for (const [method, path] of [
      ["GET", "/current-identity"],
      ["GET", "/current-identity/authenticators"],
      ["GET", "/current-identity/mfa/recovery-codes"],
      ["POST", "/current-identity/mfa/recovery-codes"],
      ["DELETE", "/current-identity/mfa"],
    ] as const) {
      const r = await zcall(path, { method, session: s, json: method === "POST" ? { code: "123456" } : undefined });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect((await errorOf(r)).code).toBe("UNAUTHORIZED");
    }
    // … the allowlisted routes answer.
    const current = await zcall("/current-api-session", { session: s });
    expect(current.status).toBe(200);
    expect((await body(current)).data.authQueries).toEqual([MFA_QUERY]);
    const mfa = await zcall("/current-identity/mfa", { session: s });
    expect(mfa.status).toBe(200);
    const mfaData = (await body(mfa)).data;
    expect(mfaData).toMatchObject({ isVerified: true });
    expect(mfaData).not.toHaveProperty("provisioningUrl");
    const enroll = await post("/current-identity/mfa", s);
    expect(enroll.status).toBe(409);
    expect((await errorOf(enroll)).code).toBe("ALREADY_MFA_ENROLLED");

    // A wrong code is refused; the next step's TOTP completes the session.
    const bad = await post("/authenticate/mfa", s, { code: wrongCode(u.secret) });
    expect(bad.status).toBe(401);
    expect(await errorOf(bad)).toMatchObject({
      code: "MFA_INVALID_TOKEN",
      message: "An invalid token/code was provided",
    });
    const ok = await post("/authenticate/mfa", s, { code: currentTotp(u.secret, u.enrolledAt + STEP) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: {}, meta: {} });

    const me = await zcall("/current-identity", { session: s });
    expect(me.status).toBe(200);
    expect((await body(me)).data.isMfaEnabled).toBe(true);
    const after = await body(await zcall("/current-api-session", { session: s }));
    expect(after.data).toMatchObject({ isMfaRequired: true, isMfaComplete: true, authQueries: [] });
  });

  it("a TOTP code already used (on the native face) is refused here", async () => {
    const u = await nativeMfaUser();
    const s = await ztSession(u.username, u.password);
    const res = await post("/authenticate/mfa", s, { code: currentTotp(u.secret, u.enrolledAt) });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("MFA_INVALID_TOKEN");
  });

  it("a native recovery code completes a Ziti session once", async () => {
    const u = await nativeMfaUser();
    const code = u.recovery[0] ?? "";
    const s1 = await ztSession(u.username, u.password);
    expect((await post("/authenticate/mfa", s1, { code })).status).toBe(200);
    const s2 = await ztSession(u.username, u.password);
    const again = await post("/authenticate/mfa", s2, { code });
    expect(again.status).toBe(401);
    expect((await zcall("/current-identity", { session: s2 })).status).toBe(401);
  });
});

describe("MFA enrollment on the Ziti face", () => {
  it("enroll → detail → PNG → verify → recovery codes → sign in with a recovery code → disable", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);

    const created = await post("/current-identity/mfa", s);
    expect(created.status).toBe(201);
    const createdBody = await body(created);
    expect(createdBody).toEqual({
      data: { id: expect.any(String), _links: { self: { href: "./current-identity/mfa" } } },
      meta: {},
    });
    const twice = await post("/current-identity/mfa", s);
    expect(twice.status).toBe(409);
    expect(await errorOf(twice)).toMatchObject({
      code: "ALREADY_MFA_ENROLLED",
      message: "The identity is already enrolled in MFA",
    });

    const detail = await body<{
      id: string;
      isVerified: boolean;
      provisioningUrl: string;
      recoveryCodes: string[];
      _links: Record<string, { href: string }>;
    }>(await zcall("/current-identity/mfa", { session: s }));
    expect(detail.meta).toEqual({});
    expect(detail.data.id).toBe(createdBody.data.id);
    expect(detail.data.isVerified).toBe(false);
    expect(detail.data.provisioningUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(detail.data.recoveryCodes.length).toBeGreaterThanOrEqual(10);
    expect(detail.data._links).toMatchObject({
      self: { href: "./current-identity/mfa" },
      verify: { href: "./current-identity/mfa/verify" },
      qr: { href: "./current-identity/mfa/qr-code" },
    });
    const secret = secretOf(detail.data.provisioningUrl);
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    const recovery = detail.data.recoveryCodes;

    const qr = await zcall("/current-identity/mfa/qr-code", { session: s });
    expect(qr.status).toBe(200);
    expect(qr.headers.get("content-type")).toBe("image/png");
    const png = new Uint8Array(await qr.arrayBuffer());
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    const bad = await post("/current-identity/mfa/verify", s, { code: wrongCode(secret) });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("MFA_INVALID_TOKEN");
    // A recovery code cannot verify an enrollment.
    expect((await post("/current-identity/mfa/verify", s, { code: recovery[0] })).status).toBe(400);

    const verifiedAt = Date.now();
    const ok = await post("/current-identity/mfa/verify", s, { code: currentTotp(secret, verifiedAt) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: {}, meta: {} });
    const again = await post("/current-identity/mfa/verify", s, { code: currentTotp(secret, verifiedAt + STEP) });
    expect(again.status).toBe(404);

    const verified = await body(await zcall("/current-identity/mfa", { session: s }));
    expect(verified.data.isVerified).toBe(true);
    expect(verified.data).not.toHaveProperty("provisioningUrl");
    expect(verified.data).not.toHaveProperty("recoveryCodes");
    expect(verified.data._links).toMatchObject({ "recovery-codes": { href: "./current-identity/mfa/recovery-codes" } });
    expect((await zcall("/current-identity/mfa/qr-code", { session: s })).status).toBe(404);

    // Viewing recovery codes takes a TOTP code (header), never a recovery code.
    const noCode = await zcall("/current-identity/mfa/recovery-codes", { session: s });
    expect(noCode.status).toBe(401);
    expect((await errorOf(noCode)).code).toBe("MFA_INVALID_TOKEN");
    const withRecovery = await zcall("/current-identity/mfa/recovery-codes", {
      session: s,
      headers: { "mfa-validation-code": recovery[5] ?? "" },
    });
    expect(withRecovery.status).toBe(401);

    // A new session is partial; a recovery code completes it, once.
    const partial = await authenticate(u.username, u.password);
    const p1 = partial.headers.get("zt-session") ?? "";
    expect((await body(partial)).data).toMatchObject({ isMfaRequired: true, isMfaComplete: false });
    expect((await post("/authenticate/mfa", p1, { code: recovery[0] })).status).toBe(200);
    expect((await zcall("/current-identity", { session: p1 })).status).toBe(200);
    const p2 = await ztSession(u.username, u.password);
    const reuse = await post("/authenticate/mfa", p2, { code: recovery[0] });
    expect(reuse.status).toBe(401);
    expect((await errorOf(reuse)).code).toBe("MFA_INVALID_TOKEN");

    // Regenerate (spending a recovery code): old codes stop working, the new ones can be read.
    const badRegen = await post("/current-identity/mfa/recovery-codes", s, { code: "ZZZZZZZZZZ" });
    expect(badRegen.status).toBe(401);
    expect((await errorOf(badRegen)).code).toBe("MFA_INVALID_TOKEN");
    const regen = await post("/current-identity/mfa/recovery-codes", s, { code: recovery[1] });
    expect(regen.status).toBe(200);
    expect(await regen.json()).toEqual({ data: {}, meta: {} });
    expect((await post("/authenticate/mfa", p2, { code: recovery[2] })).status).toBe(401);
    const codes = await zcall("/current-identity/mfa/recovery-codes", {
      session: s,
      headers: { "mfa-validation-code": currentTotp(secret, verifiedAt + STEP) },
    });
    expect(codes.status).toBe(200);
    const fresh = await body<{ recoveryCodes: string[]; id: string }>(codes);
    expect(fresh.meta).toEqual({});
    expect(fresh.data.id).toBe(createdBody.data.id);
    expect(fresh.data.recoveryCodes).toHaveLength(recovery.length);
    for (const old of recovery) expect(fresh.data.recoveryCodes).not.toContain(old);

    // A minute later (moved in the database): the per-identity MFA attempt budget is fresh.
    await env.DB.prepare("DELETE FROM rate_limits WHERE key = ?").bind(`mfa:user:${u.id}`).run();

    // Disabling a verified enrollment needs a valid mfa-validation-code.
    const noHeader = await zcall("/current-identity/mfa", { method: "DELETE", session: s });
    expect(noHeader.status).toBe(401);
    expect((await errorOf(noHeader)).code).toBe("MFA_INVALID_TOKEN");
    const wrong = await zcall("/current-identity/mfa", {
      method: "DELETE",
      session: s,
      headers: { "mfa-validation-code": "ZZZZZZZZZZ" },
    });
    expect(wrong.status).toBe(401);
    const del = await zcall("/current-identity/mfa", {
      method: "DELETE",
      session: s,
      headers: { "mfa-validation-code": fresh.data.recoveryCodes[0] ?? "" },
    });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ data: {}, meta: {} });
    expect((await zcall("/current-identity/mfa", { session: s })).status).toBe(404);
    const plain = await body(await authenticate(u.username, u.password));
    expect(plain.data).toMatchObject({ isMfaRequired: false, authQueries: [] });
  });

  it("an unverified enrollment is deleted with an empty mfa-validation-code and can be restarted", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    expect((await post("/current-identity/mfa", s)).status).toBe(201);
    const del = await zcall("/current-identity/mfa", {
      method: "DELETE",
      session: s,
      headers: { "mfa-validation-code": "" },
    });
    expect(del.status).toBe(200);
    expect((await post("/current-identity/mfa", s)).status).toBe(201);
  });

  it("an unverified Ziti enrollment does not make new sessions partial", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    expect((await post("/current-identity/mfa", s)).status).toBe(201);
    const { data } = await body(await authenticate(u.username, u.password));
    expect(data).toMatchObject({ isMfaRequired: false, authQueries: [] });
  });

  it("MFA enrolled here is enforced on the native face", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    await post("/current-identity/mfa", s);
    const detail = await body<{ provisioningUrl: string }>(await zcall("/current-identity/mfa", { session: s }));
    const secret = secretOf(detail.data.provisioningUrl);
    const at = Date.now();
    expect((await post("/current-identity/mfa/verify", s, { code: currentTotp(secret, at) })).status).toBe(200);
    const res = await call("/api/v1/auth/login", {
      method: "POST",
      json: { username: u.username, password: u.password },
      headers: { "cf-connecting-ip": "198.19.9.9" },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("mfa_required");
    await nativeLogin(u.username, u.password, currentTotp(secret, at + STEP));
  });
});
