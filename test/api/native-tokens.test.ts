import { env } from "cloudflare:workers";
import { generateSigningKey, signJwt, toBase64Url } from "@fleetgate/auth";
import { SignJWT } from "jose";
import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, login, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const me = (headers: Record<string, string>) => call("/api/v1/users/me", { headers });
const token = (secret: string) => ({ authorization: `Token ${secret}` });

describe("access tokens: every forgery is refused", () => {
  async function realKey() {
    const s = await adminLogin();
    const header = JSON.parse(atob((s.access.split(".")[0] ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as {
      kid: string;
    };
    return { s, kid: header.kid };
  }

  it("missing Authorization → 401 Missing authorization token", async () => {
    const res = await me({});
    expect(res.status).toBe(401);
    expect(await nativeError(res)).toEqual({ code: "unauthorized", message: "Missing authorization token" });
  });

  it("alg:none → 401", async () => {
    const { s, kid } = await realKey();
    const payload = s.access.split(".")[1];
    const forged = `${toBase64Url(new TextEncoder().encode(JSON.stringify({ alg: "none", kid })))}.${payload}.`;
    const res = await me(bearer(forged));
    expect(res.status).toBe(401);
    expect(await nativeError(res)).toEqual({ code: "unauthorized", message: "Invalid token" });
  });

  it("HS256 signed with the public key as HMAC secret → 401", async () => {
    const { s, kid } = await realKey();
    const jwks = (await (await call("/.well-known/jwks.json")).json()) as { keys: { kid: string; x: string }[] };
    const pub = jwks.keys.find((k) => k.kid === kid);
    const claims = JSON.parse(atob((s.access.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as Record<
      string,
      unknown
    >;
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid })
      .sign(new TextEncoder().encode(JSON.stringify(pub)));
    expect((await me(bearer(forged))).status).toBe(401);
  });

  it("a token signed by an unknown key → 401", async () => {
    const k = await generateSigningKey("EdDSA");
    const { s } = await realKey();
    const forged = await signJwt(
      k.privateJwk,
      k.kid,
      "EdDSA",
      { role: "admin" },
      {
        issuer: "http://127.0.0.1",
        audience: "http://127.0.0.1/api/v1",
        ttlSeconds: 900,
        subject: s.userId,
      },
    );
    expect((await me(bearer(forged))).status).toBe(401);
  });

  async function signedWithRealKey(opts: { issuer: string; audience: string; ttlSeconds: number; now?: number }) {
    const { deriveKeys, decrypt } = await import("@fleetgate/auth");
    const keys = await deriveKeys(env.MASTER_KEY);
    const { s, kid } = await realKey();
    const row = await env.DB.prepare("SELECT private_jwk_enc FROM signing_keys WHERE kid = ?")
      .bind(kid)
      .first<{ private_jwk_enc: string }>();
    const jwk = JSON.parse((await decrypt(keys.wrap, row?.private_jwk_enc ?? "", "signing-key")) ?? "{}");
    return signJwt(jwk, kid, "EdDSA", { role: "admin", t: Date.now() }, { ...opts, subject: s.userId });
  }

  it("wrong aud → 401", async () => {
    const t = await signedWithRealKey({
      issuer: "http://127.0.0.1",
      audience: "https://elsewhere/api/v1",
      ttlSeconds: 900,
    });
    expect((await me(bearer(t))).status).toBe(401);
  });

  it("wrong iss → 401", async () => {
    const t = await signedWithRealKey({
      issuer: "https://evil.example",
      audience: "http://127.0.0.1/api/v1",
      ttlSeconds: 900,
    });
    expect((await me(bearer(t))).status).toBe(401);
  });

  it("expired → 401 Token expired", async () => {
    const t = await signedWithRealKey({
      issuer: "http://127.0.0.1",
      audience: "http://127.0.0.1/api/v1",
      ttlSeconds: 900,
      now: Date.now() - 960_000,
    });
    const res = await me(bearer(t));
    expect(res.status).toBe(401);
    expect(await nativeError(res)).toEqual({ code: "unauthorized", message: "Token expired" });
  });

  it("the real key with the right claims is accepted (the forgeries above fail for their one defect)", async () => {
    const t = await signedWithRealKey({
      issuer: "http://127.0.0.1",
      audience: "http://127.0.0.1/api/v1",
      ttlSeconds: 900,
    });
    expect((await me(bearer(t))).status).toBe(200);
  });
});

describe("refresh tokens", () => {
  it("rotate on every use; reusing a rotated one revokes the whole family", async () => {
    const u = await userWithRole("reporter");
    const first = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(first.status).toBe(200);
    const next = ((await first.json()) as { refresh_token: string }).refresh_token;
    expect(next).not.toBe(u.session.refresh);
    const reuse = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(reuse.status).toBe(401);
    expect(await nativeError(reuse)).toEqual({
      code: "invalid_refresh_token",
      message: "Refresh token is invalid or expired",
    });
    const afterTheft = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: next } });
    expect(afterTheft.status).toBe(401);
  });

  it("an over-long refresh_token → 401 invalid_refresh_token (not 400)", async () => {
    const res = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: "a".repeat(5000) } });
    expect(res.status).toBe(401);
    expect(await nativeError(res)).toEqual({
      code: "invalid_refresh_token",
      message: "Refresh token is invalid or expired",
    });
  });

  it("the answer carries the user's real mfa_enabled", async () => {
    const u = await userWithRole("reporter");
    const setup = (await (await call("/api/v1/auth/mfa/setup", { headers: bearer(u.session) })).json()) as {
      secret_base32: string;
    };
    const code = new TOTP({ secret: Secret.fromBase32(setup.secret_base32) }).generate();
    const verify = await call("/api/v1/auth/mfa/verify", {
      method: "POST",
      headers: bearer(u.session),
      json: { secret_base32: setup.secret_base32, code, password: u.password },
    });
    expect(verify.status).toBe(200);
    const res = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { mfa_enabled: boolean } }).user.mfa_enabled).toBe(true);
    const plain = await userWithRole("reporter");
    const other = await call("/api/v1/auth/refresh", {
      method: "POST",
      json: { refresh_token: plain.session.refresh },
    });
    expect(((await other.json()) as { user: { mfa_enabled: boolean } }).user.mfa_enabled).toBe(false);
  });

  it("of concurrent uses of one token at most one succeeds, and the reuse ends the family (issue 11)", async () => {
    const u = await userWithRole("reporter");
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: u.session.refresh } }),
      ),
    );
    const won = results.filter((r) => r.status === 200);
    expect(won.length).toBeLessThanOrEqual(1);
    for (const r of won) {
      const { refresh_token } = (await r.json()) as { refresh_token: string };
      const again = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token } });
      expect(again.status).toBe(401);
    }
  });

  it("only a SHA-256 hash is stored", async () => {
    const u = await userWithRole("reporter");
    const rows = await env.DB.prepare("SELECT token_hash FROM refresh_tokens WHERE identity_id = ?")
      .bind(u.id)
      .all<{ token_hash: string }>();
    expect(rows.results.map((r) => r.token_hash)).not.toContain(u.session.refresh);
  });

  it("logout ends the family; unknown tokens still get 200", async () => {
    const u = await userWithRole("reporter");
    const out = await call("/api/v1/auth/logout", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(await out.json()).toEqual({ message: "Logged out successfully" });
    const res = await call("/api/v1/auth/refresh", { method: "POST", json: { refresh_token: u.session.refresh } });
    expect(res.status).toBe(401);
    const unknown = await call("/api/v1/auth/logout", { method: "POST", json: { refresh_token: "0".repeat(64) } });
    expect(unknown.status).toBe(200);
  });
});

describe("revocation takes effect on the next request", () => {
  it("POST /users/{id}/revoke invalidates the live access token", async () => {
    const admin = await adminLogin();
    const u = await userWithRole("operator");
    expect((await me(bearer(u.session))).status).toBe(200);
    const res = await call(`/api/v1/users/${u.id}/revoke`, { method: "POST", headers: bearer(admin) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "Sessions revoked", count: 1 });
    expect((await me(bearer(u.session))).status).toBe(401);
    await login(u.username, u.password);
  });
});

describe("API tokens", () => {
  it("ztlu_ token: shown once, never listed, works as Authorization: Token, deleted → refused", async () => {
    const u = await userWithRole("operator");
    const created = await call("/api/v1/tokens", {
      method: "POST",
      headers: bearer(u.session),
      json: { name: "laptop" },
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; secret: string; name: string };
    expect(body.secret).toMatch(/^ztlu_[0-9A-Za-z]{36}$/);
    const list = (await (await call("/api/v1/tokens", { headers: bearer(u.session) })).json()) as Record<
      string,
      unknown
    >[];
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(body.secret);
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(["created_at", "expires_at", "id", "last_used_at", "name"]);
    expect((await me(token(body.secret))).status).toBe(200);
    const del = await call(`/api/v1/tokens/${body.id}`, { method: "DELETE", headers: bearer(u.session) });
    expect(del.status).toBe(200);
    expect((await me(token(body.secret))).status).toBe(401);
  });

  it("a malformed checksum is refused before any lookup", async () => {
    const res = await me(token("ztlu_0xtePqPLfggHUaAi6NkDVuakz4jtQZ2ObLY4"));
    expect(res.status).toBe(401);
  });

  it("an expired token is refused", async () => {
    const u = await userWithRole("operator");
    const created = await call("/api/v1/tokens", {
      method: "POST",
      headers: bearer(u.session),
      json: { name: "short", expires_at: new Date(Date.now() + 60_000).toISOString() },
    });
    const { id, secret } = (await created.json()) as { id: string; secret: string };
    expect((await me(token(secret))).status).toBe(200);
    await env.DB.prepare("UPDATE api_tokens SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, id)
      .run();
    expect((await me(token(secret))).status).toBe(401);
  });

  it("expires_at in the past → 400", async () => {
    const u = await userWithRole("operator");
    const res = await call("/api/v1/tokens", {
      method: "POST",
      headers: bearer(u.session),
      json: { name: "x", expires_at: "2020-01-01T00:00:00Z" },
    });
    expect(res.status).toBe(400);
  });

  it("service accounts get ztls_ tokens; operators cannot manage them", async () => {
    const admin = await adminLogin();
    const op = await userWithRole("operator");
    const denied = await call("/api/v1/service-accounts", {
      method: "POST",
      headers: bearer(op.session),
      json: { name: "ci" },
    });
    expect(denied.status).toBe(403);
    expect(await nativeError(denied)).toEqual({
      code: "forbidden_role",
      message: "Admin role required to modify this resource",
    });
    const sa = await call("/api/v1/service-accounts", {
      method: "POST",
      headers: bearer(admin),
      json: { name: `ci-${Date.now()}`, role: "reporter" },
    });
    expect(sa.status).toBe(201);
    const { id } = (await sa.json()) as { id: string };
    const t = await call(`/api/v1/service-accounts/${id}/tokens`, {
      method: "POST",
      headers: bearer(admin),
      json: { name: "pipeline" },
    });
    expect(t.status).toBe(201);
    const { secret } = (await t.json()) as { secret: string };
    expect(secret).toMatch(/^ztls_/);
    expect((await call("/api/v1/groups", { headers: token(secret) })).status).toBe(200);
    expect((await call("/api/v1/groups", { method: "POST", headers: token(secret), json: { name: "x" } })).status).toBe(
      403,
    );
  });
});
