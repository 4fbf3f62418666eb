import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { type Grant, SsoFake } from "./sso-fake";

/**
 * The browserless SSO flow against a fake provider: login redirect →
 * authorize → callback → handoff → tokens, and every refusal.
 */
const APP = "https://app.example.test/auth/sso/callback";
let idp: SsoFake;

async function configure(fake: SsoFake, over: Record<string, unknown> = {}) {
  const admin = await adminLogin();
  const res = await call("/api/v1/settings", {
    method: "PUT",
    headers: bearer(admin),
    json: {
      oidc: {
        enabled: true,
        provider_type: "custom",
        display_name: "Corp SSO",
        discovery_url: fake.discoveryUrl,
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
        redirect_uri: "",
        scopes: "openid email profile",
      },
      sso_callback_url: APP,
      ...over,
    },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function startLogin(): Promise<{ location: string; state: string }> {
  const res = await call("/api/v1/auth/sso/login", { redirect: "manual" });
  expect(res.status).toBe(302);
  const location = res.headers.get("location") ?? "";
  return { location, state: new URL(location).searchParams.get("state") ?? "" };
}

async function callback(query: Record<string, string>): Promise<URL> {
  const res = await call(`/api/v1/auth/sso/callback?${new URLSearchParams(query)}`, { redirect: "manual" });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location") ?? "");
}

/** login → authorize (with claims / grant overrides) → callback; the redirect back to the app. */
async function flow(claims: Record<string, unknown> = {}, grant: Partial<Grant> = {}) {
  const { location, state } = await startLogin();
  const code = idp.authorize(location, claims, grant);
  return callback({ code, state });
}

const handoff = (code: string) => call("/api/v1/auth/sso/handoff", { method: "POST", json: { handoff_code: code } });

beforeAll(async () => {
  idp = await SsoFake.create();
  await configure(idp);
});

describe("SSO: the whole flow", () => {
  it("GET /auth/sso/config reports the configured button", async () => {
    const res = await call("/api/v1/auth/sso/config");
    expect(await res.json()).toEqual({ enabled: true, display_name: "Corp SSO", auth_url: "/api/v1/auth/sso/login" });
  });

  it("login redirects with S256 PKCE, a UUID state and a nonce", async () => {
    const { location } = await startLogin();
    const p = new URL(location).searchParams;
    expect(location.startsWith(`${idp.origin}/authorize?`)).toBe(true);
    expect(p.get("client_id")).toBe(idp.clientId);
    expect(p.get("response_type")).toBe("code");
    expect(p.get("redirect_uri")).toBe("http://127.0.0.1/api/v1/auth/sso/callback");
    expect(p.get("scope")).toBe("openid email profile");
    expect(p.get("code_challenge_method")).toBe("S256");
    expect(p.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get("state")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("callback → handoff → tokens; no token in any URL; the user is created as reporter", async () => {
    const back = await flow({ sub: "sub-new-1", email: "new1@corp.test", preferred_username: "new1" });
    expect(`${back.origin}${back.pathname}`).toBe(APP);
    expect([...back.searchParams.keys()]).toEqual(["handoff"]);
    const code = back.searchParams.get("handoff") ?? "";
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const last = idp.tokenRequests.at(-1);
    expect(last?.client_secret).toBe(idp.clientSecret);
    expect(last?.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const res = await handoff(code);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      access_token: string;
      refresh_token: string;
      token_type: string;
      expires_in: number;
      user: Record<string, unknown>;
    };
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(900);
    expect(body.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    expect(body.user).toMatchObject({
      username: "new1",
      display_name: "Alice Example",
      role: "reporter",
      auth_provider: "oidc",
      mfa_enabled: false,
    });
    const me = await call("/api/v1/users/me", { headers: bearer(body.access_token) });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe("new1@corp.test");
  });

  it("the same subject signs in again as the same user", async () => {
    const a = await handoff(
      (await flow({ sub: "sub-same", email: "same@corp.test" })).searchParams.get("handoff") ?? "",
    );
    const b = await handoff(
      (await flow({ sub: "sub-same", email: "same@corp.test" })).searchParams.get("handoff") ?? "",
    );
    const ida = ((await a.json()) as { user: { id: string } }).user.id;
    const idb = ((await b.json()) as { user: { id: string } }).user.id;
    expect(ida).toBe(idb);
  });

  it("an existing local user with the email is linked; an unverified email is not", async () => {
    const admin = await adminLogin();
    const created = await call("/api/v1/users", {
      method: "POST",
      headers: bearer(admin),
      json: { username: "bob-local", email: "bob@corp.test", role: "operator", password: "Str0ng!Passw0rd" },
    });
    expect(created.status).toBe(200);
    const bobId = ((await created.json()) as { id: string }).id;
    const unverified = await flow({ sub: "sub-bob", email: "bob@corp.test", email_verified: false });
    expect(unverified.searchParams.get("error")).toBe("sso_error");
    const back = await flow({ sub: "sub-bob", email: "Bob@corp.test" });
    const res = await handoff(back.searchParams.get("handoff") ?? "");
    expect(((await res.json()) as { user: { id: string; role: string } }).user).toMatchObject({
      id: bobId,
      role: "operator",
    });
    const other = await flow({ sub: "sub-mallory", email: "bob@corp.test" });
    expect(other.searchParams.get("error")).toBe("sso_error");
  });

  it("groups from the configured claim join existing Fleetgate groups", async () => {
    const admin = await adminLogin();
    const g = await call("/api/v1/groups", {
      method: "POST",
      headers: bearer(admin),
      json: { name: "sso-web-team" },
    });
    const groupId = ((await g.json()) as { id: string }).id;
    await configure(idp, { sso_policy: { groups_claim: "groups" } });
    try {
      const back = await flow({ sub: "sub-grp", email: "grp@corp.test", groups: ["sso-web-team", "unknown-team"] });
      const res = await handoff(back.searchParams.get("handoff") ?? "");
      const userId = ((await res.json()) as { user: { id: string } }).user.id;
      const rows = await env.DB.prepare("SELECT group_id FROM identity_groups WHERE identity_id = ?")
        .bind(userId)
        .all<{ group_id: string }>();
      expect(rows.results.map((r) => r.group_id)).toEqual([groupId]);
    } finally {
      await configure(idp, { sso_policy: { groups_claim: "" } });
    }
  });

  it("the legacy aliases /sso/* and /auth/azure/login reach the same handlers", async () => {
    expect((await call("/api/v1/sso/config")).status).toBe(200);
    const res = await call("/api/v1/auth/azure/login", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")?.startsWith(`${idp.origin}/authorize?`)).toBe(true);
  });
});

describe("SSO: refusals", () => {
  const errorOf = (u: URL) => ({ error: u.searchParams.get("error"), has_handoff: u.searchParams.has("handoff") });

  it("an unknown state → bad_request", async () => {
    const back = await callback({ code: "x", state: crypto.randomUUID() });
    expect(errorOf(back)).toEqual({ error: "bad_request", has_handoff: false });
    expect(back.searchParams.get("error_description")).toBe("Invalid or expired state");
  });

  it("a replayed state → bad_request (single use)", async () => {
    const { location, state } = await startLogin();
    const first = await callback({ code: idp.authorize(location), state });
    expect(first.searchParams.has("handoff")).toBe(true);
    const again = await callback({ code: idp.authorize(location), state });
    expect(errorOf(again)).toEqual({ error: "bad_request", has_handoff: false });
  });

  it("an expired state (10 min) → bad_request", async () => {
    const { location, state } = await startLogin();
    await env.DB.prepare("UPDATE nonces SET expires_at = 1 WHERE key LIKE 'sso-state:%'").run();
    const back = await callback({ code: idp.authorize(location), state });
    expect(errorOf(back)).toEqual({ error: "bad_request", has_handoff: false });
  });

  it("the provider's error is passed on as sso_error", async () => {
    const { state } = await startLogin();
    const back = await callback({ state, error: "access_denied", error_description: "User cancelled" });
    expect(errorOf(back)).toEqual({ error: "sso_error", has_handoff: false });
    expect(back.searchParams.get("error_description")).toBe("User cancelled");
  });

  it("a nonce mismatch → sso_error", async () => {
    const back = await flow({ nonce: "not-the-nonce" });
    expect(errorOf(back)).toEqual({ error: "sso_error", has_handoff: false });
    expect(back.searchParams.get("error_description")).toBe("ID token validation failed");
  });

  it("a missing nonce → sso_error", async () => {
    expect(errorOf(await flow({ nonce: undefined }))).toEqual({ error: "sso_error", has_handoff: false });
  });

  it("a wrong audience → sso_error", async () => {
    expect(errorOf(await flow({ aud: "someone-else" }))).toEqual({ error: "sso_error", has_handoff: false });
  });

  it("several audiences without azp = our client → sso_error", async () => {
    expect(errorOf(await flow({ aud: [idp.clientId, "other"] }))).toEqual({ error: "sso_error", has_handoff: false });
  });

  it("a wrong issuer → sso_error", async () => {
    expect(errorOf(await flow({ iss: "https://evil.test" }))).toEqual({ error: "sso_error", has_handoff: false });
  });

  it("an expired ID token (beyond the 60 s leeway) → sso_error", async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    expect(errorOf(await flow({ exp: past, iat: past - 300 }))).toEqual({ error: "sso_error", has_handoff: false });
  });

  it("alg none → sso_error", async () => {
    const none = async (_f: SsoFake, claims: Record<string, unknown>) => {
      const enc = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
      return `${enc({ alg: "none", typ: "JWT", kid: idp.kid })}.${enc(claims)}.`;
    };
    expect(errorOf(await flow({}, { idToken: none }))).toEqual({ error: "sso_error", has_handoff: false });
  });

  it("HS256 signed with the provider's public key → sso_error", async () => {
    const hs = async (f: SsoFake, claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: f.kid })
        .sign(new TextEncoder().encode(JSON.stringify(f.publicJwk)));
    expect(errorOf(await flow({}, { idToken: hs }))).toEqual({ error: "sso_error", has_handoff: false });
  });

  it("a token signed by another key with our kid → sso_error", async () => {
    const other = await SsoFake.create();
    const forged = async (_f: SsoFake, claims: Record<string, unknown>) => other.sign(claims, { kid: idp.kid });
    expect(errorOf(await flow({}, { idToken: forged }))).toEqual({ error: "sso_error", has_handoff: false });
  });

  it("a code bound to another PKCE challenge is refused by the provider → sso_error, no handoff", async () => {
    const { location, state } = await startLogin();
    const code = idp.authorize(location, {}, { challenge: "A".repeat(43) });
    const back = await callback({ code, state });
    expect(errorOf(back)).toEqual({ error: "sso_error", has_handoff: false });
    expect(back.searchParams.get("error_description")).toBe("Token exchange with the provider failed");
  });

  it("a disabled user → account_disabled", async () => {
    const admin = await adminLogin();
    const first = await flow({ sub: "sub-dis", email: "dis@corp.test" });
    const id = ((await (await handoff(first.searchParams.get("handoff") ?? "")).json()) as { user: { id: string } })
      .user.id;
    const off = await call(`/api/v1/users/${id}`, {
      method: "PUT",
      headers: bearer(admin),
      json: { is_active: false },
    });
    expect(off.status).toBe(200);
    const back = await flow({ sub: "sub-dis", email: "dis@corp.test" });
    expect(errorOf(back)).toEqual({ error: "account_disabled", has_handoff: false });
  });

  it("SSO disabled → login 403 forbidden", async () => {
    await configure(idp, {});
    const admin = await adminLogin();
    await call("/api/v1/settings", { method: "PUT", headers: bearer(admin), json: { oidc: { enabled: false } } });
    try {
      const res = await call("/api/v1/auth/sso/login", { redirect: "manual" });
      expect(res.status).toBe(403);
      expect(await nativeError(res)).toEqual({ code: "forbidden", message: "SSO is not enabled" });
      expect(((await (await call("/api/v1/auth/sso/config")).json()) as { enabled: boolean }).enabled).toBe(false);
    } finally {
      await configure(idp);
    }
  });
});

describe("SSO: the handoff code", () => {
  const invalid = { code: "invalid_handoff", message: "Handoff code is invalid, expired or already used" };

  it("is single use: a replay → 400 invalid_handoff", async () => {
    const code = (await flow()).searchParams.get("handoff") ?? "";
    expect((await handoff(code)).status).toBe(200);
    const again = await handoff(code);
    expect(again.status).toBe(400);
    expect(await nativeError(again)).toEqual(invalid);
  });

  it("expires after 60 s", async () => {
    const code = (await flow()).searchParams.get("handoff") ?? "";
    await env.DB.prepare("UPDATE nonces SET expires_at = 1 WHERE key LIKE 'sso-handoff:%'").run();
    const res = await handoff(code);
    expect(res.status).toBe(400);
    expect(await nativeError(res)).toEqual(invalid);
  });

  it("of concurrent exchanges exactly one wins", async () => {
    const code = (await flow()).searchParams.get("handoff") ?? "";
    const results = await Promise.all(Array.from({ length: 6 }, () => handoff(code)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
  });

  it("malformed bodies → 400 invalid_handoff, never 5xx", async () => {
    for (const res of [
      await handoff("short"),
      await handoff("x".repeat(43)),
      await handoff("x".repeat(300)),
      await call("/api/v1/auth/sso/handoff", { method: "POST", json: { nope: 1 } }),
      await call("/api/v1/auth/sso/handoff", { method: "POST", json: { handoff_code: 7 } }),
    ]) {
      expect(res.status).toBe(400);
      expect(await nativeError(res)).toEqual(invalid);
    }
  });

  it("only a hash of the handoff code and of the state is stored", async () => {
    const { location, state } = await startLogin();
    const back = await callback({ code: idp.authorize(location), state });
    const code = back.searchParams.get("handoff") ?? "";
    const rows = await env.DB.prepare("SELECT key, value FROM nonces WHERE key LIKE 'sso-%'").all<{
      key: string;
      value: string;
    }>();
    const dump = JSON.stringify(rows.results);
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(state);
  });
});
