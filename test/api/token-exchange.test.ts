import { env } from "cloudflare:workers";
import { parseZtlToken } from "@fleetgate/auth";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { FakeIssuer } from "./oidc-fake";
import { tokenAuth } from "./task-helpers";

const CONDITION = 'claims.repository == "acme/infra" && claims.ref == "refs/heads/main"';

async function serviceAccount(role = "operator") {
  const res = await call("/api/v1/service-accounts", {
    method: "POST",
    headers: bearer(await adminLogin()),
    json: { name: `ci-${crypto.randomUUID().slice(0, 8)}`, role },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; name: string };
}

async function createIssuer(fake: FakeIssuer, over: Record<string, unknown> = {}) {
  const sa = await serviceAccount();
  const res = await call("/api/v1/token-issuers", {
    method: "POST",
    headers: bearer(await adminLogin()),
    json: {
      name: `gha-${crypto.randomUUID().slice(0, 8)}`,
      issuer_uri: fake.uri,
      audience: "fleetgate",
      condition: CONDITION,
      service_account_id: sa.id,
      ...over,
    },
  });
  if (res.status !== 201) throw new Error(`issuer: ${res.status} ${await res.text()}`);
  return { issuer: (await res.json()) as { id: string; max_validity: number; issuer_uri: string }, sa };
}

async function setup(over: Record<string, unknown> = {}, opts: { rsaBits?: number } = {}) {
  const fake = await FakeIssuer.create(opts);
  const { issuer, sa } = await createIssuer(fake, over);
  const exchange = (body: unknown, headers: Record<string, string> = {}) =>
    call(`/api/accounts/token_issuers/oidc/${issuer.id}/auth/`, { method: "POST", json: body, headers });
  return { fake, issuer, sa, exchange };
}

const naive = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;

describe("token exchange: bad input, in DRF's shapes", () => {
  it("unknown issuer → 404 No OIDCAPITokenIssuer matches the given query.", async () => {
    const res = await call(`/api/accounts/token_issuers/oidc/${crypto.randomUUID()}/auth/`, {
      method: "POST",
      json: { jwt: "x" },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "No OIDCAPITokenIssuer matches the given query." });
  });

  it("non-UUID issuer id → 404 Not found.", async () => {
    const res = await call("/api/accounts/token_issuers/oidc/not-a-uuid/auth/", { method: "POST", json: { jwt: "x" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not found." });
  });

  it("a non-JSON body → 415 with the media type quoted", async () => {
    const { issuer } = await setup();
    const res = await call(`/api/accounts/token_issuers/oidc/${issuer.id}/auth/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "jwt=abc",
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      detail: 'Unsupported media type "application/x-www-form-urlencoded" in request.',
    });
  });

  it("malformed JSON → 400 JSON parse error", async () => {
    const { issuer } = await setup();
    const res = await call(`/api/accounts/token_issuers/oidc/${issuer.id}/auth/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{jwt",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/^JSON parse error - /);
  });

  it("JSON that is not an object → non_field_errors; null → No data provided", async () => {
    const { exchange } = await setup();
    const list = await exchange(["jwt"]);
    expect(list.status).toBe(400);
    expect(await list.json()).toEqual({ non_field_errors: ["Invalid data. Expected a dictionary, but got list."] });
    expect(await (await exchange("jwt")).json()).toEqual({
      non_field_errors: ["Invalid data. Expected a dictionary, but got str."],
    });
    expect(await (await exchange(null)).json()).toEqual({ non_field_errors: ["No data provided"] });
  });

  it("field errors: required, blank, null, not a string, integers and bounds", async () => {
    const { exchange } = await setup();
    expect(await (await exchange({})).json()).toEqual({ jwt: ["This field is required."] });
    expect(await (await exchange({ jwt: "   " })).json()).toEqual({ jwt: ["This field may not be blank."] });
    expect(await (await exchange({ jwt: null })).json()).toEqual({ jwt: ["This field may not be null."] });
    expect(await (await exchange({ jwt: ["a"] })).json()).toEqual({ jwt: ["Not a valid string."] });
    expect(await (await exchange({ jwt: true, name: "  " })).json()).toEqual({
      jwt: ["Not a valid string."],
      name: ["This field may not be blank."],
    });
    expect(await (await exchange({ validity: "abc" })).json()).toEqual({
      jwt: ["This field is required."],
      validity: ["A valid integer is required."],
    });
    expect(await (await exchange({ jwt: "x", validity: 29 })).json()).toEqual({
      jwt: ["Invalid token"],
      validity: ["Ensure this value is greater than or equal to 30."],
    });
    expect(await (await exchange({ jwt: "x", validity: 604_801 })).json()).toEqual({
      jwt: ["Invalid token"],
      validity: ["Ensure this value is less than or equal to 604800."],
    });
  });

  it("both fields are validated and the errors merged: Invalid token + Must be ≤ 60s", async () => {
    const { exchange } = await setup({ max_validity: 60 });
    const res = await exchange({ jwt: "yolo", validity: 120 });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ jwt: ["Invalid token"], validity: ["Must be ≤ 60s"] });
  });
});

describe("token exchange: success", () => {
  it("200 {id, expiry, name, secret, user} in Zentral's order; user.id is an integer; the ztls_ token works", async () => {
    const { fake, exchange, sa } = await setup({ max_validity: 600 });
    const before = Date.now();
    const res = await exchange({ jwt: await fake.token(), name: "  CI/CD job ", validity: 120 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      id: string;
      expiry: string;
      name: string;
      secret: string;
      user: { id: number; username: string; email: string; is_service_account: boolean };
    };
    expect(Object.keys(body)).toEqual(["id", "expiry", "name", "secret", "user"]);
    expect(body.name).toBe("CI/CD job");
    expect(body.secret).toMatch(/^ztls_/);
    expect(parseZtlToken(body.secret)).toEqual({ ok: true, kind: "s" });
    expect(Object.keys(body.user)).toEqual(["id", "username", "email", "is_service_account"]);
    expect(Number.isInteger(body.user.id)).toBe(true);
    expect(body.user).toMatchObject({ username: sa.name, email: "", is_service_account: true });
    expect(body.expiry).toMatch(naive);
    const expiry = Date.parse(`${body.expiry}Z`);
    expect(expiry).toBeGreaterThanOrEqual(before + 120_000 - 1000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 120_000 + 1000);
    const use = await call(`/api/task_result/${crypto.randomUUID()}/`, { headers: tokenAuth(body.secret) });
    expect(use.status).toBe(200);
    const again = await exchange({ jwt: await fake.token() });
    const second = (await again.json()) as { user: { id: number } };
    expect(second.user.id).toBe(body.user.id);
  });

  it("default validity = max_validity; the name defaults to empty; Authorization is ignored", async () => {
    const { fake, exchange } = await setup({ max_validity: 3600 });
    const res = await exchange({ jwt: await fake.token() }, { authorization: "Token nonsense" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { expiry: string; name: string };
    expect(body.name).toBe("");
    expect(Date.parse(`${body.expiry}Z`)).toBeGreaterThan(Date.now() + 3590_000);
  });

  it('validity may be sent as 30.0 or "45" (DRF IntegerField)', async () => {
    const { fake, exchange } = await setup();
    expect((await exchange({ jwt: await fake.token(), validity: 30.0 })).status).toBe(200);
    expect((await exchange({ jwt: await fake.token(), validity: "45" })).status).toBe(200);
  });

  it("is audited: api_token.create with via oidc_exchange, issuer and sub, no secrets", async () => {
    const { fake, exchange, issuer, sa } = await setup();
    const res = await exchange({ jwt: await fake.token() });
    const { id, secret } = (await res.json()) as { id: string; secret: string };
    const row = await env.DB.prepare("SELECT * FROM audit_log WHERE target_id = ?").bind(id).first<{
      action: string;
      actor_id: string;
      detail: string;
    }>();
    expect(row?.action).toBe("api_token.create");
    expect(row?.actor_id).toBe(sa.id);
    const detail = JSON.parse(row?.detail ?? "{}");
    expect(detail).toMatchObject({
      via: "oidc_exchange",
      issuer_id: issuer.id,
      sub: "repo:acme/infra:ref:refs/heads/main",
    });
    expect(row?.detail).not.toContain(secret);
  });

  it("a replayed jti → Invalid token; a refused request does not burn it", async () => {
    const { fake, exchange } = await setup({ max_validity: 60 });
    const jwt = await fake.token();
    expect((await exchange({ jwt, validity: 120 })).status).toBe(400);
    expect((await exchange({ jwt })).status).toBe(200);
    const replay = await exchange({ jwt });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ jwt: ["Invalid token"] });
  });

  it("a token without jti can be exchanged once too", async () => {
    const { fake, exchange } = await setup();
    const jwt = await fake.token({ jti: undefined });
    expect((await exchange({ jwt })).status).toBe(200);
    expect((await exchange({ jwt })).status).toBe(400);
  });
});

describe("token exchange: every verification failure is a 400 Invalid token, never a 500", () => {
  const invalid = async (res: Response) => {
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ jwt: ["Invalid token"] });
  };

  it("signed by a key that is not in the JWKS", async () => {
    const { exchange } = await setup();
    const other = await FakeIssuer.create();
    const { fake } = await setup();
    await invalid(await exchange({ jwt: await other.token({ iss: fake.uri }) }));
  });

  it("an unknown kid re-fetches the JWKS (key rotation) and then succeeds", async () => {
    const { fake, exchange } = await setup();
    expect((await exchange({ jwt: await fake.token() })).status).toBe(200);
    const jwksFetches = fake.fetches.jwks;
    const rotated = await fake.addKey("RS256");
    expect((await exchange({ jwt: await fake.token({}, { key: rotated }) })).status).toBe(200);
    expect(fake.fetches.jwks).toBe(jwksFetches + 1);
    // Cached: the next one fetches nothing.
    expect((await exchange({ jwt: await fake.token({}, { key: rotated }) })).status).toBe(200);
    expect(fake.fetches.jwks).toBe(jwksFetches + 1);
  });

  it("alg none, or an algorithm the issuer does not advertise", async () => {
    const { fake, exchange } = await setup();
    const real = await fake.token();
    const [, payload] = real.split(".");
    const none = `${btoa(JSON.stringify({ alg: "none", kid: fake.keys[0]?.kid })).replace(/=+$/, "")}.${payload}.`;
    await invalid(await exchange({ jwt: none }));
    fake.discovery = { ...fake.discovery, id_token_signing_alg_values_supported: ["ES256"] };
    const { issuer: other } = await createIssuer(fake);
    const res = await call(`/api/accounts/token_issuers/oidc/${other.id}/auth/`, {
      method: "POST",
      json: { jwt: await fake.token() },
    });
    await invalid(res);
  });

  it("iss must equal the configured issuer exactly (a trailing slash differs)", async () => {
    const { fake, exchange } = await setup();
    await invalid(await exchange({ jwt: await fake.token({ iss: `${fake.uri}/` }) }));
  });

  it("wrong aud; aud as an array containing the audience is fine", async () => {
    const { fake, exchange } = await setup();
    await invalid(await exchange({ jwt: await fake.token({ aud: "someone-else" }) }));
    expect((await exchange({ jwt: await fake.token({ aud: ["x", "fleetgate"] }) })).status).toBe(200);
  });

  it("exp is required, and checked with 60 s of leeway", async () => {
    const { fake, exchange } = await setup();
    const now = Math.floor(Date.now() / 1000);
    await invalid(await exchange({ jwt: await fake.token({ exp: undefined }) }));
    await invalid(await exchange({ jwt: await fake.token({ exp: now - 120, iat: now - 400, nbf: now - 400 }) }));
    expect((await exchange({ jwt: await fake.token({ exp: now - 30, iat: now - 300, nbf: now - 300 }) })).status).toBe(
      200,
    );
  });

  it("nbf or iat in the future beyond the leeway", async () => {
    const { fake, exchange } = await setup();
    const now = Math.floor(Date.now() / 1000);
    await invalid(await exchange({ jwt: await fake.token({ nbf: now + 300 }) }));
    await invalid(await exchange({ jwt: await fake.token({ iat: now + 300 }) }));
    expect((await exchange({ jwt: await fake.token({ nbf: now + 30 }) })).status).toBe(200);
  });

  it("a JWKS with only a 1024-bit RSA key", async () => {
    const { fake, exchange } = await setup({}, { rsaBits: 1024 });
    await invalid(await exchange({ jwt: await fake.token() }));
  });

  it("the issuer's discovery is down → 400, not 500", async () => {
    const { fake, exchange } = await setup();
    const { forgetOidcProvider } = await import("@fleetgate/domain");
    fake.discovery = null;
    forgetOidcProvider(fake.uri);
    await invalid(await exchange({ jwt: await fake.token() }));
  });

  it("a discovery document without jwks_uri, or a JWKS that is not JSON", async () => {
    const { fake, exchange } = await setup();
    const { forgetOidcProvider } = await import("@fleetgate/domain");
    fake.discovery = { issuer: fake.uri, id_token_signing_alg_values_supported: ["RS256"] };
    forgetOidcProvider(fake.uri);
    await invalid(await exchange({ jwt: await fake.token() }));
    fake.discovery = {
      issuer: fake.uri,
      jwks_uri: `${fake.uri}/jwks.json`,
      id_token_signing_alg_values_supported: ["RS256"],
    };
    fake.jwksStatus = 500;
    forgetOidcProvider(fake.uri);
    await invalid(await exchange({ jwt: await fake.token() }));
  });

  it("garbage that is not a JWT", async () => {
    const { exchange } = await setup();
    await invalid(await exchange({ jwt: "header.payload.sig" }));
    await invalid(await exchange({ jwt: "x".repeat(20_000) }));
  });
});

describe("token exchange: the CEL condition", () => {
  it("false → Invalid token claims", async () => {
    const { fake, exchange } = await setup();
    const res = await exchange({ jwt: await fake.token({ ref: "refs/heads/feature" }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ jwt: ["Invalid token claims"] });
  });

  it("an evaluation error (a missing claim) → Unexpected error during CEL condition evaluation", async () => {
    const { fake, exchange } = await setup({ condition: 'claims.environment == "prod"' });
    const res = await exchange({ jwt: await fake.token() });
    expect(await res.json()).toEqual({ jwt: ["Unexpected error during CEL condition evaluation"] });
  });

  it("a condition that does not produce a boolean → CEL condition evaluation didn't produce a boolean", async () => {
    const { fake, exchange } = await setup({ condition: "claims.repository" });
    const res = await exchange({ jwt: await fake.token() });
    expect(await res.json()).toEqual({ jwt: ["CEL condition evaluation didn't produce a boolean"] });
  });

  it("integral JSON numbers are CEL ints, strings stay strings", async () => {
    const { fake, exchange } = await setup({ condition: 'claims.attempt > 1 && claims.run_number == "42"' });
    expect((await exchange({ jwt: await fake.token({ attempt: 2 }) })).status).toBe(200);
  });
});

describe("token exchange: rate limits (finding 6)", () => {
  it("over TOKEN_EXCHANGE_RATE_LIMIT per minute from one network → 429 in DRF's shape with Retry-After", async () => {
    const { exchange } = await setup();
    const limit = Number(env.TOKEN_EXCHANGE_RATE_LIMIT);
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:e`;
    // Every address of one IPv6 /64 counts as the same source network.
    for (let i = 0; i < limit; i++)
      expect((await exchange({ jwt: "x" }, { "cf-connecting-ip": `${net}::${(i + 1).toString(16)}` })).status).toBe(
        400,
      );
    const last = await exchange({ jwt: "x" }, { "cf-connecting-ip": `${net}::ffff` });
    expect(last.status).toBe(429);
    expect(last.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await last.json()) as { detail: string }).detail).toMatch(
      /^Request was throttled\. Expected available in \d+ seconds?\.$/,
    );
  });

  it("unverified tokens from one network do not block a valid exchange from another", async () => {
    const { fake, exchange } = await setup();
    const limit = Number(env.TOKEN_EXCHANGE_RATE_LIMIT);
    for (let i = 0; i < limit + 2; i++) await exchange({ jwt: "x" }, { "cf-connecting-ip": "203.0.113.66" });
    const ok = await exchange({ jwt: await fake.token() }, { "cf-connecting-ip": "198.51.100.77" });
    expect(ok.status).toBe(200);
  }, 30_000);

  it("tokens that fail the issuer's condition do not spend the issuer's budget", async () => {
    const { fake, exchange } = await setup();
    const limit = Number(env.TOKEN_EXCHANGE_RATE_LIMIT);
    for (let i = 0; i < limit + 2; i++) {
      const res = await exchange({ jwt: await fake.token({ repository: "evil/repo" }) });
      expect(res.status).toBe(400);
    }
    expect((await exchange({ jwt: await fake.token() })).status).toBe(200);
  }, 60_000);
});

describe("token issuers (native, admin only)", () => {
  it("create → 201 with defaults; GET, list, PATCH, PUT, DELETE", async () => {
    const fake = await FakeIssuer.create();
    const sa = await serviceAccount();
    const admin = bearer(await adminLogin());
    const name = `gha-${crypto.randomUUID().slice(0, 8)}`;
    const created = await call("/api/v1/token-issuers", {
      method: "POST",
      headers: admin,
      json: { name, issuer_uri: fake.uri, audience: "fleetgate", condition: CONDITION, service_account_id: sa.id },
    });
    expect(created.status).toBe(201);
    const issuer = (await created.json()) as Record<string, unknown> & { id: string };
    expect(issuer).toMatchObject({
      name,
      description: "",
      max_validity: 3600,
      issuer_uri: fake.uri,
      service_account_id: sa.id,
    });
    expect((await call(`/api/v1/token-issuers/${issuer.id}`, { headers: admin })).status).toBe(200);
    const list = (await (await call("/api/v1/token-issuers", { headers: admin })).json()) as { id: string }[];
    expect(list.map((i) => i.id)).toContain(issuer.id);
    const patched = await call(`/api/v1/token-issuers/${issuer.id}`, {
      method: "PATCH",
      headers: admin,
      json: { max_validity: 900, description: "GitHub Actions" },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ max_validity: 900, description: "GitHub Actions", name });
    const put = await call(`/api/v1/token-issuers/${issuer.id}`, {
      method: "PUT",
      headers: admin,
      json: { name, issuer_uri: fake.uri, audience: "aud2", condition: "true", service_account_id: sa.id },
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ audience: "aud2", max_validity: 3600, description: "" });
    const actions = await env.DB.prepare("SELECT action FROM audit_log WHERE target_id = ? ORDER BY seq")
      .bind(issuer.id)
      .all<{ action: string }>();
    expect(actions.results.map((r) => r.action)).toEqual([
      "token_issuer.create",
      "token_issuer.update",
      "token_issuer.update",
    ]);
    expect((await call(`/api/v1/token-issuers/${issuer.id}`, { method: "DELETE", headers: admin })).status).toBe(200);
    expect((await call(`/api/v1/token-issuers/${issuer.id}`, { headers: admin })).status).toBe(404);
    const gone = await call(`/api/accounts/token_issuers/oidc/${issuer.id}/auth/`, {
      method: "POST",
      json: { jwt: "x" },
    });
    expect(gone.status).toBe(404);
  });

  const bad = async (over: Record<string, unknown>, fake?: FakeIssuer) => {
    const f = fake ?? (await FakeIssuer.create());
    const sa = await serviceAccount();
    return call("/api/v1/token-issuers", {
      method: "POST",
      headers: bearer(await adminLogin()),
      json: {
        name: `gha-${crypto.randomUUID().slice(0, 8)}`,
        issuer_uri: f.uri,
        audience: "fleetgate",
        condition: CONDITION,
        service_account_id: sa.id,
        ...over,
      },
    });
  };

  it("issuer_uri: https only; plain http only on loopback; no query, fragment or credentials", async () => {
    for (const uri of [
      "http://ci.example.test",
      "http://10.0.0.1:8080",
      "ftp://ci.test",
      "https://ci.test/?x=1",
      "https://ci.test/#f",
      "https://u:p@ci.test",
      "not a url",
    ]) {
      const res = await bad({ issuer_uri: uri });
      expect(res.status, uri).toBe(400);
      expect((await nativeError(res)).code).toBe("validation_error");
    }
    for (const uri of ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"]) {
      const fake = await FakeIssuer.create({ uri });
      const res = await bad({ issuer_uri: uri }, fake);
      expect(res.status, uri).toBe(201);
    }
  });

  it("the discovery document must be readable when the issuer is saved", async () => {
    const fake = await FakeIssuer.create();
    fake.discovery = null;
    const res = await bad({}, fake);
    expect(res.status).toBe(400);
    expect((await nativeError(res)).message).toMatch(/^Could not find valid OpenID configuration/);
  });

  it("condition: invalid CEL, or statically not a boolean → 400", async () => {
    for (const condition of ["claims.repository ==", "1 + 1", 'claims.repository + 1 == "x" +', "nope == 1", ""]) {
      const res = await bad({ condition });
      expect(res.status, condition).toBe(400);
    }
  });

  it("max_validity 30…604800; the service account must exist and be a service account", async () => {
    expect((await bad({ max_validity: 29 })).status).toBe(400);
    expect((await bad({ max_validity: 604_801 })).status).toBe(400);
    expect((await bad({ max_validity: 30 })).status).toBe(201);
    expect((await bad({ service_account_id: crypto.randomUUID() })).status).toBe(400);
    const user = await userWithRole("operator");
    expect((await bad({ service_account_id: user.id })).status).toBe(400);
  });

  it("unknown fields → 400; a taken name → 409; non-UUID id → 400", async () => {
    expect((await bad({ colour: "red" })).status).toBe(400);
    const name = `dup-${crypto.randomUUID().slice(0, 8)}`;
    expect((await bad({ name })).status).toBe(201);
    const dup = await bad({ name });
    expect(dup.status).toBe(409);
    const admin = bearer(await adminLogin());
    expect((await call("/api/v1/token-issuers/nope", { headers: admin })).status).toBe(400);
  });

  it("operators get 403", async () => {
    const op = await userWithRole("operator");
    expect((await call("/api/v1/token-issuers", { headers: bearer(op.session) })).status).toBe(403);
  });
});

describe("explain: every check reported, nothing minted", () => {
  it("a refused token: each check with its verdict, the condition and its value", async () => {
    const { fake, issuer } = await setup();
    const admin = bearer(await adminLogin());
    const jwt = await fake.token({ aud: "other", ref: "refs/heads/dev" });
    const res = await call(`/api/v1/token-issuers/${issuer.id}/explain`, {
      method: "POST",
      headers: admin,
      json: { jwt },
    });
    expect(res.status).toBe(200);
    const r = (await res.json()) as {
      would_mint: boolean;
      checks: { check: string; ok: boolean; detail: string; value?: unknown }[];
      claims: Record<string, unknown>;
    };
    expect(r.would_mint).toBe(false);
    const by = Object.fromEntries(r.checks.map((c) => [c.check, c]));
    expect(by.discovery?.ok).toBe(true);
    expect(by.alg).toMatchObject({ ok: true, value: "RS256" });
    expect(by.key_size).toMatchObject({ ok: true, value: 2048 });
    expect(by.signature?.ok).toBe(true);
    expect(by.iss?.ok).toBe(true);
    expect(by.aud).toMatchObject({ ok: false, value: "other" });
    expect(by.exp?.ok).toBe(true);
    expect(by.nbf?.ok).toBe(true);
    expect(r.claims.ref).toBe("refs/heads/dev");
  });

  it("reports the condition's value and a 1024-bit key", async () => {
    const { fake, issuer } = await setup({}, { rsaBits: 1024 });
    const admin = bearer(await adminLogin());
    const res = await call(`/api/v1/token-issuers/${issuer.id}/explain`, {
      method: "POST",
      headers: admin,
      json: { jwt: await fake.token() },
    });
    const r = (await res.json()) as { checks: { check: string; ok: boolean; value?: unknown }[] };
    expect(r.checks.find((c) => c.check === "key_size")).toMatchObject({ ok: false, value: 1024 });
    expect(r.checks.find((c) => c.check === "signature")?.ok).toBe(false);

    const ok = await setup();
    const good = await call(`/api/v1/token-issuers/${ok.issuer.id}/explain`, {
      method: "POST",
      headers: admin,
      json: { jwt: await ok.fake.token({ ref: "refs/heads/x" }) },
    });
    const g = (await good.json()) as { checks: { check: string; ok: boolean; value?: unknown }[] };
    expect(g.checks.find((c) => c.check === "condition")).toMatchObject({ ok: false, value: false });
  });

  it("does not mint or consume the jti; after an exchange it reports the jti as used", async () => {
    const { fake, issuer, exchange } = await setup();
    const admin = bearer(await adminLogin());
    const jwt = await fake.token();
    const explain = () =>
      call(`/api/v1/token-issuers/${issuer.id}/explain`, { method: "POST", headers: admin, json: { jwt } });
    const first = (await (await explain()).json()) as { would_mint: boolean; checks: { check: string; ok: boolean }[] };
    expect(first.would_mint).toBe(true);
    expect(first.checks.find((c) => c.check === "jti")?.ok).toBe(true);
    expect((await exchange({ jwt })).status).toBe(200);
    const after = (await (await explain()).json()) as {
      would_mint: boolean;
      checks: { check: string; detail: string }[];
    };
    expect(after.would_mint).toBe(false);
    expect(after.checks.find((c) => c.check === "jti")?.detail).toBe("this token was already exchanged");
  });

  it("explain is admin-only and validates its body", async () => {
    const { issuer } = await setup();
    const op = await userWithRole("operator");
    const url = `/api/v1/token-issuers/${issuer.id}/explain`;
    expect((await call(url, { method: "POST", headers: bearer(op.session), json: { jwt: "x" } })).status).toBe(403);
    expect((await call(url, { method: "POST", headers: bearer(await adminLogin()), json: {} })).status).toBe(400);
  });
});
