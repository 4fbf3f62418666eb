import { env } from "cloudflare:workers";
import * as x509 from "@peculiar/x509";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call } from "./helpers";
import { FakeIssuer } from "./oidc-fake";
import { body, errorOf, nativeUser, zcall } from "./ziti-helpers";

let seq = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${seq++}`;

async function admin(path: string, method: string, json?: unknown) {
  return call(`/api/v1/ziti${path}`, { method, headers: bearer(await adminLogin()), json });
}
async function createSigner(json: Record<string, unknown>): Promise<string> {
  const res = await admin("/external-jwt-signers", "POST", { name: uniq("signer"), audience: "ziti", ...json });
  if (res.status !== 201) throw new Error(`signer: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
const extJwt = (jwt: string | undefined, json?: unknown) =>
  zcall("/authenticate?method=ext-jwt", {
    method: "POST",
    json: json ?? {},
    headers: jwt === undefined ? {} : { authorization: `Bearer ${jwt}` },
  });

async function jwksSetup(over: Record<string, unknown> = {}) {
  const fake = await FakeIssuer.create();
  const signerId = await createSigner({ issuer: fake.uri, jwksEndpoint: `${fake.uri}/jwks.json`, ...over });
  const user = await nativeUser("operator");
  return { fake, signerId, user };
}

describe("external JWT signers: admin management (native face)", () => {
  it("refuses a signer with both or neither key source, certPem without kid, a bad certificate, a private JWKS target", async () => {
    const base = { name: uniq("bad"), issuer: `https://${uniq("iss")}.test`, audience: "a" };
    for (const extra of [
      {},
      { jwksEndpoint: "https://x.test/jwks", certPem: "-----BEGIN CERTIFICATE-----" },
      { certPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" },
      { certPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", kid: "k1" },
      { jwksEndpoint: "https://10.0.0.1/jwks" },
      { jwksEndpoint: "ftp://x.test/jwks" },
    ]) {
      const res = await admin("/external-jwt-signers", "POST", { ...base, ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(400);
    }
    const list = (await (await admin("/external-jwt-signers", "GET")).json()) as { name: string }[];
    expect(list.some((s) => s.name === base.name)).toBe(false);
  });

  it("non-admins cannot manage signers; duplicates are 409", async () => {
    const fake = await FakeIssuer.create();
    const name = uniq("dup");
    await createSigner({ name, issuer: fake.uri, jwksEndpoint: `${fake.uri}/jwks.json` });
    const again = await admin("/external-jwt-signers", "POST", {
      name,
      issuer: `${fake.uri}/other`,
      audience: "a",
      jwksEndpoint: `${fake.uri}/jwks.json`,
    });
    expect(again.status).toBe(409);
    const operator = await userWithRole("operator");
    for (const [method, path] of [
      ["GET", "/external-jwt-signers"],
      ["POST", "/external-jwt-signers"],
      ["GET", "/auth-policies"],
      ["PUT", `/identities/${operator.id}/auth-policy`],
    ] as const) {
      const res = await call(`/api/v1/ziti${path}`, {
        method,
        headers: bearer(operator.session),
        json: method === "GET" ? undefined : { authPolicyId: null },
      });
      expect(res.status, path).toBe(403);
    }
  });

  it("an auth policy naming an unknown signer is refused", async () => {
    const res = await admin("/auth-policies", "POST", {
      name: uniq("ap"),
      primary: { extJwt: { allowed: true, allowedSigners: [crypto.randomUUID()] } },
    });
    expect(res.status).toBe(400);
  });
});

describe("GET /external-jwt-signers (Ziti face)", () => {
  it("lists enabled signers without a session, with ZitiQL filter and paging; disabled ones are hidden", async () => {
    const fake = await FakeIssuer.create();
    const name = uniq("listed");
    const id = await createSigner({
      name,
      issuer: fake.uri,
      jwksEndpoint: `${fake.uri}/jwks.json`,
      externalAuthUrl: "https://idp.example.test/authorize",
      clientId: "ziti-client",
      scopes: ["openid", "email"],
    });
    const hidden = uniq("hidden");
    await createSigner({
      name: hidden,
      issuer: `${fake.uri}/x`,
      jwksEndpoint: `${fake.uri}/jwks.json`,
      enabled: false,
    });
    const res = await zcall(`/external-jwt-signers?filter=${encodeURIComponent(`name = "${name}"`)}`);
    expect(res.status).toBe(200);
    const b = await body<Record<string, unknown>[]>(res);
    expect(b.data).toHaveLength(1);
    expect(b.data[0]).toMatchObject({
      id,
      name,
      externalAuthUrl: "https://idp.example.test/authorize",
      clientId: "ziti-client",
      audience: "ziti",
      scopes: ["openid", "email"],
      _links: { self: { href: `./external-jwt-signers/${id}` } },
    });
    expect(b.data[0]).not.toHaveProperty("jwksEndpoint");
    expect(b.meta).toMatchObject({ pagination: { limit: 10, offset: 0, totalCount: 1 } });
    const none = await body<unknown[]>(
      await zcall(`/external-jwt-signers?filter=${encodeURIComponent(`name = "${hidden}"`)}`),
    );
    expect(none.data).toEqual([]);
    const bad = await zcall("/external-jwt-signers?filter=name%20%3D%3D");
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("INVALID_FILTER");
  });

  it("a signer without externalAuthUrl is listed with externalAuthUrl null, as the controller sends its nil pointer", async () => {
    const fake = await FakeIssuer.create();
    const name = uniq("no-url");
    await createSigner({ name, issuer: fake.uri, jwksEndpoint: `${fake.uri}/jwks.json` });
    const b = await body<Record<string, unknown>[]>(
      await zcall(`/external-jwt-signers?filter=${encodeURIComponent(`name = "${name}"`)}`),
    );
    expect(b.data).toHaveLength(1);
    expect(b.data[0]).toHaveProperty("externalAuthUrl", null);
  });
});

describe("POST /authenticate?method=ext-jwt", () => {
  it("authenticates an identity by id (claimsProperty sub) through a JWKS signer", async () => {
    const { fake, user } = await jwksSetup();
    const jwt = await fake.token({ aud: "ziti", sub: user.id });
    const res = await extJwt(jwt, { configTypes: ["a", "a"] });
    expect(res.status).toBe(200);
    const token = res.headers.get("zt-session");
    expect(token).toBeTruthy();
    const b = await body<{ identityId: string; token: string }>(res);
    expect(b.data.identityId).toBe(user.id);
    expect(b.data.token).toBe(token);
    const me = await zcall("/current-identity", { session: token ?? "" });
    expect(me.status).toBe(200);
    expect((await body<{ id: string }>(me)).data.id).toBe(user.id);
  });

  it("claimsProperty + useExternalId map a custom claim to the identity's externalId", async () => {
    const { fake, user } = await jwksSetup({ claimsProperty: "email", useExternalId: true });
    const externalId = `${uniq("ext")}@example.test`;
    await env.DB.prepare("UPDATE identities SET external_id = ? WHERE id = ?").bind(externalId, user.id).run();
    const ok = await extJwt(await fake.token({ aud: "ziti", sub: "ignored", email: externalId }));
    expect(ok.status).toBe(200);
    expect((await body<{ identityId: string }>(ok)).data.identityId).toBe(user.id);
    // The id in `sub` is not looked at; an unknown externalId fails.
    const byId = await extJwt(await fake.token({ aud: "ziti", sub: user.id, email: "nobody@example.test" }));
    expect(byId.status).toBe(401);
    const missing = await extJwt(await fake.token({ aud: "ziti", sub: user.id }));
    expect(missing.status).toBe(401);
  });

  it("refuses as INVALID_AUTH: no bearer, garbage, unknown issuer, wrong audience, expired, bad signature, disabled signer", async () => {
    const { fake, user, signerId } = await jwksSetup();
    const other = await FakeIssuer.create();
    const forged = await other.token({ aud: "ziti", sub: user.id, iss: fake.uri });
    const cases: (string | undefined)[] = [
      undefined,
      "not-a-jwt",
      await other.token({ aud: "ziti", sub: user.id }),
      await fake.token({ aud: "other", sub: user.id }),
      await fake.token({ aud: "ziti", sub: user.id, exp: Math.floor(Date.now() / 1000) - 3600 }),
      forged,
      await fake.token({ aud: "ziti", sub: crypto.randomUUID() }),
    ];
    for (const jwt of cases) {
      const res = await extJwt(jwt);
      expect(res.status).toBe(401);
      expect(res.headers.get("zt-session")).toBeNull();
      const e = await errorOf(res);
      expect(e.code).toBe("INVALID_AUTH");
    }
    const signer = (await (await admin(`/external-jwt-signers/${signerId}`, "GET")).json()) as Record<string, unknown>;
    const { id: _id, createdAt: _c, updatedAt: _u, ...input } = signer;
    expect((await admin(`/external-jwt-signers/${signerId}`, "PUT", { ...input, enabled: false })).status).toBe(200);
    expect((await extJwt(await fake.token({ aud: "ziti", sub: user.id }))).status).toBe(401);
  });

  it("a disabled identity cannot authenticate", async () => {
    const { fake, user } = await jwksSetup();
    await env.DB.prepare("UPDATE identities SET disabled = 1 WHERE id = ?").bind(user.id).run();
    expect((await extJwt(await fake.token({ aud: "ziti", sub: user.id }))).status).toBe(401);
  });

  it("the identity's auth policy must allow the signer", async () => {
    const { fake, user, signerId } = await jwksSetup();
    const otherSigner = await createSigner({ issuer: `${fake.uri}/b`, jwksEndpoint: `${fake.uri}/jwks.json` });
    const make = async (allowed: boolean, allowedSigners: string[]) => {
      const res = await admin("/auth-policies", "POST", {
        name: uniq("ap"),
        primary: { extJwt: { allowed, allowedSigners } },
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const assign = async (authPolicyId: string | null) =>
      expect((await admin(`/identities/${user.id}/auth-policy`, "PUT", { authPolicyId })).status).toBe(200);
    const attempt = async () => (await extJwt(await fake.token({ aud: "ziti", sub: user.id }))).status;

    await assign(await make(false, []));
    expect(await attempt()).toBe(401);
    await assign(await make(true, [otherSigner]));
    expect(await attempt()).toBe(401);
    const allowing = await make(true, [signerId]);
    await assign(allowing);
    expect(await attempt()).toBe(200);
    // A policy in use cannot be deleted; back to the default policy (any signer).
    expect((await admin(`/auth-policies/${allowing}`, "DELETE")).status).toBe(409);
    await assign(null);
    expect(await attempt()).toBe(200);
    expect((await admin(`/identities/${crypto.randomUUID()}/auth-policy`, "PUT", { authPolicyId: null })).status).toBe(
      404,
    );
    expect(
      (await admin(`/identities/${user.id}/auth-policy`, "PUT", { authPolicyId: crypto.randomUUID() })).status,
    ).toBe(400);
  });

  it("verifies against a pinned certificate (certPem + kid)", async () => {
    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
    const keys = (await crypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "CN=ext-jwt-signer",
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      keys,
      signingAlgorithm: alg,
    });
    const issuer = `https://${uniq("pinned")}.test`;
    await createSigner({ issuer, certPem: cert.toString("pem"), kid: "pinned-1" });
    const user = await nativeUser("operator");
    const sign = (key: CryptoKey, kid: string) =>
      new SignJWT({ sub: user.id })
        .setProtectedHeader({ alg: "ES256", kid })
        .setIssuer(issuer)
        .setAudience("ziti")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(key);
    expect((await extJwt(await sign(keys.privateKey, "pinned-1"))).status).toBe(200);
    expect((await extJwt(await sign(keys.privateKey, "other-kid"))).status).toBe(401);
    const stranger = await generateKeyPair("ES256", { extractable: true });
    expect(await exportJWK(stranger.publicKey)).toHaveProperty("crv", "P-256");
    expect((await extJwt(await sign(stranger.privateKey, "pinned-1"))).status).toBe(401);
  });
});
