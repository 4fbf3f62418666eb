import { OAuth2Server } from "oauth2-mock-server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminAccess } from "./admin-login";

/**
 * Single sign-on as a browser would do it, without a browser: a real OIDC
 * provider on loopback (oauth2-mock-server, which checks the PKCE verifier
 * and echoes the nonce), the real dev server, every redirect followed by hand.
 */
const base = () => inject("baseUrl");
const APP = "https://app.example.test/auth/sso/callback";
const provider = new OAuth2Server();
const tag = Math.random().toString(36).slice(2, 8);
let admin: Record<string, string> = {};

async function api(path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  return fetch(`${base()}${path}`, {
    redirect: "manual",
    ...rest,
    headers,
    body: json === undefined ? rest.body : JSON.stringify(json),
  });
}

const location = (res: Response) => {
  expect(res.status).toBe(302);
  return res.headers.get("location") ?? "";
};

beforeAll(async () => {
  await provider.issuer.keys.generate("RS256");
  await provider.start(0, "127.0.0.1");
  provider.service.on("beforeTokenSigning", (token) => {
    Object.assign(token.payload, {
      sub: `sub-${tag}`,
      email: `sso-${tag}@corp.test`,
      email_verified: true,
      name: "E2E SSO User",
      preferred_username: `sso-${tag}`,
    });
  });
  admin = { authorization: `Bearer ${await adminAccess(base())}` };
  const res = await api("/api/v1/settings", {
    method: "PUT",
    headers: admin,
    json: {
      oidc: {
        enabled: true,
        display_name: "Mock IdP",
        discovery_url: `${provider.issuer.url}/.well-known/openid-configuration`,
        client_id: "fleetgate-e2e",
        client_secret: "e2e-client-secret",
      },
      sso_callback_url: APP,
    },
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await api("/api/v1/settings", { method: "PUT", headers: admin, json: { oidc: { enabled: false } } });
  await provider.stop();
});

describe("SSO against a real OIDC provider", () => {
  it("discover reads the provider's document", async () => {
    const res = await api("/api/v1/settings/sso/discover", { method: "POST", headers: admin, json: {} });
    expect(await res.json()).toMatchObject({
      success: true,
      issuer: provider.issuer.url,
      authorization_endpoint: `${provider.issuer.url}/authorize`,
      token_endpoint: `${provider.issuer.url}/token`,
    });
  });

  it("login → authorize → callback → handoff → tokens; the state works once", async () => {
    const authorize = location(await api("/api/v1/auth/sso/login"));
    expect(authorize.startsWith(`${provider.issuer.url}/authorize?`)).toBe(true);
    const callback = location(await fetch(authorize, { redirect: "manual" }));
    expect(callback.startsWith(`${base()}/api/v1/auth/sso/callback?`)).toBe(true);

    const back = new URL(location(await fetch(callback, { redirect: "manual" })));
    expect(`${back.origin}${back.pathname}`).toBe(APP);
    const handoff = back.searchParams.get("handoff") ?? "";
    expect(handoff).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(back.search).not.toMatch(/token/);

    const res = await api("/api/v1/auth/sso/handoff", { method: "POST", json: { handoff_code: handoff } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; user: Record<string, unknown> };
    expect(body.user).toMatchObject({ username: `sso-${tag}`, role: "reporter", auth_provider: "oidc" });
    const me = await api("/api/v1/users/me", { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(((await me.json()) as { email: string }).email).toBe(`sso-${tag}@corp.test`);

    const again = await api("/api/v1/auth/sso/handoff", { method: "POST", json: { handoff_code: handoff } });
    expect(again.status).toBe(400);
    const replay = new URL(location(await fetch(callback, { redirect: "manual" })));
    expect(replay.searchParams.get("error")).toBe("bad_request");
  });
});
