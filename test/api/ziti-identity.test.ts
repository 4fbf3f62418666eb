import { describe, expect, it } from "vitest";
import { call } from "./helpers";
import { authenticate, body, errorOf, nativeLogin, nativeUser, zcall, ztSession } from "./ziti-helpers";

const IDENTITY_FIELDS = [
  "_links",
  "appData",
  "authPolicy",
  "authPolicyId",
  "authenticators",
  "createdAt",
  "defaultHostingCost",
  "defaultHostingPrecedence",
  "disabled",
  "disabledAt",
  "disabledUntil",
  "edgeRouterConnectionStatus",
  "enrollment",
  "envInfo",
  "externalId",
  "hasApiSession",
  "hasEdgeRouterConnection",
  "id",
  "isAdmin",
  "isDefaultAdmin",
  "isMfaEnabled",
  "name",
  "roleAttributes",
  "sdkInfo",
  "serviceHostingCosts",
  "serviceHostingPrecedences",
  "tags",
  "type",
  "typeId",
  "updatedAt",
];

type Authenticator = { id: string; method: string; username?: string; identityId: string };

async function mintApiToken(username: string, password: string): Promise<string> {
  const access = await nativeLogin(username, password);
  const res = await call("/api/v1/tokens", {
    method: "POST",
    headers: { authorization: `Bearer ${access}` },
    json: { name: "ziti-test" },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { secret: string }).secret;
}

describe("pagination: refusals", () => {
  it("non-integer limit or offset → 400 INVALID_PAGINATION", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    for (const q of ["limit=abc", "limit=1.5", "offset=x", "offset=2e3", "limit=10abc"]) {
      const res = await zcall(`/current-identity/authenticators?${q}`, { session: s });
      expect(res.status, q).toBe(400);
      expect(await errorOf(res)).toMatchObject({
        code: "INVALID_PAGINATION",
        message: "The pagination properties provided are invalid",
      });
    }
  });

  it("ZitiQL filters and sorts the authenticators; a malformed filter → 400 INVALID_FILTER, an unknown sort field → 400 INVALID_SORT_IDENTIFIER", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const list = async (q: string) => zcall(`/current-identity/authenticators?${q}`, { session: s });
    const cert = await body<Authenticator[]>(await list(`filter=${encodeURIComponent('method = "cert"')}`));
    expect(cert.data).toEqual([]);
    expect(cert.meta).toMatchObject({ pagination: { totalCount: 0 } });
    const updb = await body<Authenticator[]>(
      await list(
        `filter=${encodeURIComponent(`method = "updb" and username = "${u.username}" sort by createdAt desc`)}`,
      ),
    );
    expect(updb.data.map((a) => a.method)).toEqual(["updb"]);
    const bad = await list(`filter=${encodeURIComponent('method = = "cert"')}`);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("INVALID_FILTER");
    const badSort = await list("sort=nope");
    expect(badSort.status).toBe(400);
    expect((await errorOf(badSort)).code).toBe("INVALID_SORT_IDENTIFIER");
  });
});

const AUTHENTICATOR_FIELDS = [
  "id",
  "createdAt",
  "updatedAt",
  "method",
  "username",
  "fingerprint",
  "identityId",
  "isIssuedByNetwork",
];

describe("pagination meta", () => {
  it("defaults, clamps and offsets as the controller does", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const cases: [string, number, number, number][] = [
      ["", 10, 0, 1],
      ["limit=0", 10, 0, 1],
      ["limit=-5", 10, 0, 1],
      ["limit=-1", 500, 0, 1],
      ["limit=1000", 500, 0, 1],
      ["limit=3&offset=0", 3, 0, 1],
      ["limit=3&offset=5", 3, 5, 0],
      ["filter=true", 10, 0, 1],
    ];
    for (const [q, limit, offset, rows] of cases) {
      const res = await zcall(`/current-identity/authenticators${q ? `?${q}` : ""}`, { session: s });
      expect(res.status, q).toBe(200);
      const { data, meta } = await body<Authenticator[]>(res);
      expect(meta, q).toEqual({ pagination: { limit, offset, totalCount: 1 }, filterableFields: AUTHENTICATOR_FIELDS });
      expect(data, q).toHaveLength(rows);
    }
  });
});

describe("GET /current-identity", () => {
  it("401 without a session", async () => {
    const res = await zcall("/current-identity");
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
  });

  it("returns every identityDetail field the spec requires", async () => {
    const u = await nativeUser("operator");
    const s = await ztSession(u.username, u.password);
    const res = await zcall("/current-identity", { session: s });
    expect(res.status).toBe(200);
    const { data, meta } = await body(res);
    expect(meta).toEqual({});
    expect(Object.keys(data).sort()).toEqual([...IDENTITY_FIELDS].sort());
    const auths = await body<Authenticator[]>(await zcall("/current-identity/authenticators", { session: s }));
    expect(data).toMatchObject({
      id: u.id,
      name: u.username,
      _links: { self: { href: "./current-identity" } },
      type: { id: "Default", name: "Default", entity: "identity-types" },
      typeId: "Default",
      isAdmin: false,
      isDefaultAdmin: false,
      isMfaEnabled: false,
      authenticators: { updb: { username: u.username, id: auths.data[0]?.id } },
      enrollment: {},
      roleAttributes: [],
      hasApiSession: true,
      hasEdgeRouterConnection: false,
      edgeRouterConnectionStatus: "offline",
      serviceHostingPrecedences: {},
      serviceHostingCosts: {},
      defaultHostingCost: 0,
      defaultHostingPrecedence: "default",
      authPolicyId: "default",
      externalId: null,
      disabled: false,
      disabledAt: null,
      disabledUntil: null,
      appData: {},
      tags: {},
    });
  });

  it("isAdmin follows the admin role; the bootstrap admin is the default admin", async () => {
    const s = await ztSession("admin", "Admin-Pass-123!");
    const { data } = await body(await zcall("/current-identity", { session: s }));
    expect(data).toMatchObject({ name: "admin", isAdmin: true, isDefaultAdmin: true });
  });

  it("an API token (Authorization: Token ztl…) is accepted here", async () => {
    const u = await nativeUser();
    const token = await mintApiToken(u.username, u.password);
    const res = await zcall("/current-identity", { headers: { authorization: `Token ${token}` } });
    expect(res.status).toBe(200);
    const { data } = await body(res);
    expect(data).toMatchObject({ id: u.id, hasApiSession: false });
    expect(res.headers.get("expiration-seconds")).toBeNull();
    // … but never where a session is needed.
    const session = await zcall("/current-api-session", { headers: { authorization: `Token ${token}` } });
    expect(session.status).toBe(401);
    const mfa = await zcall("/current-identity/mfa", { headers: { authorization: `Token ${token}` } });
    expect(mfa.status).toBe(401);
    const bad = await zcall("/current-identity", { headers: { authorization: "Token ztlu_garbage" } });
    expect(bad.status).toBe(401);
  });
});

describe("current-identity authenticators", () => {
  it("lists the updb authenticator and details it; someone else's id is 404", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const list = await body<Authenticator[]>(await zcall("/current-identity/authenticators", { session: s }));
    expect(list.data).toHaveLength(1);
    const a = list.data[0] as Authenticator & Record<string, unknown>;
    expect(a).toMatchObject({
      method: "updb",
      username: u.username,
      identityId: u.id,
      isIssuedByNetwork: false,
      identity: { id: u.id, name: u.username, entity: "identities" },
      _links: { self: { href: `./current-identity/authenticators/${a.id}` } },
    });
    expect(a).not.toHaveProperty("password");
    expect(a).not.toHaveProperty("passwordHash");
    const one = await zcall(`/current-identity/authenticators/${a.id}`, { session: s });
    expect(one.status).toBe(200);
    expect((await body(one)).data).toEqual(a);

    const other = await nativeUser();
    const os = await ztSession(other.username, other.password);
    const foreign = await zcall(`/current-identity/authenticators/${a.id}`, { session: os });
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).code).toBe("NOT_FOUND");
  });

  it("PUT/PATCH refusals: missing currentPassword, wrong currentPassword, weak password, renaming, unknown id", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const [a] = (await body<Authenticator[]>(await zcall("/current-identity/authenticators", { session: s }))).data;
    const path = `/current-identity/authenticators/${a?.id}`;

    const missing = await zcall(path, { method: "PATCH", session: s, json: { password: "N3w!Password-x" } });
    expect(missing.status).toBe(400);
    expect(await errorOf(missing)).toMatchObject({
      code: "COULD_NOT_VALIDATE",
      cause: {
        field: "(root)",
        type: "required",
        details: { property: "currentPassword" },
        value: { password: "******" },
      },
    });

    const putMissing = await zcall(path, {
      method: "PUT",
      session: s,
      json: { password: "N3w!Password-x", currentPassword: u.password },
    });
    expect(putMissing.status).toBe(400);
    expect((await errorOf(putMissing)).code).toBe("COULD_NOT_VALIDATE");

    const wrong = await zcall(path, {
      method: "PATCH",
      session: s,
      json: { password: "N3w!Password-x", currentPassword: "Wrong-Pass-1!" },
    });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).code).toBe("UNAUTHORIZED");

    const weak = await zcall(path, {
      method: "PATCH",
      session: s,
      json: { password: "abcde", currentPassword: u.password },
    });
    expect(weak.status).toBe(400);
    expect(await errorOf(weak)).toMatchObject({ code: "COULD_NOT_VALIDATE", cause: { field: "password" } });

    const rename = await zcall(path, {
      method: "PATCH",
      session: s,
      json: { username: "someone-else", currentPassword: u.password },
    });
    expect(rename.status).toBe(409);
    expect((await errorOf(rename)).code).toBe("CAN_NOT_UPDATE_AUTHENTICATOR");

    const unknown = await zcall("/current-identity/authenticators/00000000-0000-4000-8000-000000000000", {
      method: "PATCH",
      session: s,
      json: { password: "N3w!Password-x", currentPassword: u.password },
    });
    expect(unknown.status).toBe(404);

    // Nothing changed: the old password still signs in.
    expect((await authenticate(u.username, u.password)).status).toBe(200);
  });

  it("PUT changes the password (the new one signs in on both faces, the old one no longer)", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const [a] = (await body<Authenticator[]>(await zcall("/current-identity/authenticators", { session: s }))).data;
    const res = await zcall(`/current-identity/authenticators/${a?.id}`, {
      method: "PUT",
      session: s,
      json: { username: u.username, password: "N3w!Password-x", currentPassword: u.password, tags: {} },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: {}, meta: {} });
    expect((await authenticate(u.username, u.password)).status).toBe(401);
    expect((await authenticate(u.username, "N3w!Password-x")).status).toBe(200);
    await nativeLogin(u.username, "N3w!Password-x");
  });

  it("PATCH with only currentPassword is a verified no-op", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const [a] = (await body<Authenticator[]>(await zcall("/current-identity/authenticators", { session: s }))).data;
    const res = await zcall(`/current-identity/authenticators/${a?.id}`, {
      method: "PATCH",
      session: s,
      json: { currentPassword: u.password },
    });
    expect(res.status).toBe(200);
    expect((await authenticate(u.username, u.password)).status).toBe(200);
  });
});

describe("specs", () => {
  it("lists this face's own spec and serves its generated OpenAPI document", async () => {
    const list = await zcall("/specs");
    expect(list.status).toBe(200);
    const { data, meta } = await body<{ id: string; name: string; _links: Record<string, { href: string }> }[]>(list);
    expect(meta).toEqual({});
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      id: "edge-client",
      _links: { self: { href: "./specs/edge-client" }, spec: { href: "./specs/edge-client/spec" } },
    });
    const one = await zcall("/specs/edge-client");
    expect(one.status).toBe(200);
    expect((await body(one)).data).toEqual(data[0]);
    const doc = await zcall("/specs/edge-client/spec");
    expect(doc.status).toBe(200);
    const spec = (await doc.json()) as { openapi: string; paths: Record<string, unknown>; info: { version: string } };
    expect(spec.openapi).toBe("3.1.0");
    expect(spec.info.version).toBe("0.26.38");
    for (const p of [
      "/authenticate",
      "/authenticate/mfa",
      "/current-api-session",
      "/current-identity",
      "/current-identity/authenticators",
      "/current-identity/authenticators/{id}",
      "/current-identity/mfa",
      "/current-identity/mfa/qr-code",
      "/current-identity/mfa/verify",
      "/current-identity/mfa/recovery-codes",
      "/specs",
      "/version",
    ]) {
      expect(spec.paths, p).toHaveProperty([p]);
    }
    expect(JSON.stringify(spec)).not.toContain("demo.ziti.dev");
  });

  it("an unknown spec id → 404", async () => {
    for (const p of ["/specs/swagger", "/specs/swagger/spec"]) {
      const res = await zcall(p);
      expect(res.status, p).toBe(404);
      expect((await errorOf(res)).code).toBe("NOT_FOUND");
    }
  });
});
