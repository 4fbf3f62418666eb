import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";
import {
  authenticate,
  body,
  errorOf,
  nativeUser,
  ZITI_ERROR_META,
  type ZitiErrorBody,
  zcall,
  ztSession,
} from "./ziti-helpers";

const ADMIN = { username: "admin", password: "Admin-Pass-123!" };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$/;
const GO_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})? \+0000 UTC$/;

describe("POST /authenticate: refusals", () => {
  it("wrong password → 401 INVALID_AUTH in the controller's error shape", async () => {
    const res = await authenticate(ADMIN.username, "Wrong-Pass-1!");
    expect(res.status).toBe(401);
    const json = (await res.json()) as ZitiErrorBody;
    expect(json).toEqual({
      error: {
        args: { urlVars: {} },
        cause: null,
        causeMessage: "",
        code: "INVALID_AUTH",
        message: "The authentication request failed",
        requestId: res.headers.get("x-request-id"),
      },
      meta: ZITI_ERROR_META,
    });
    expect(res.headers.get("zt-session")).toBeNull();
  });

  it("unknown username → the same 401 body", async () => {
    const res = await authenticate("nobody-at-all", "Wrong-Pass-1!");
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("INVALID_AUTH");
  });

  it("a locked account is INVALID_AUTH too, even with the right password (never says why)", async () => {
    const u = await nativeUser();
    await env.DB.prepare("UPDATE identities SET locked_until = ? WHERE id = ?")
      .bind(Date.now() + 60_000, u.id)
      .run();
    const res = await authenticate(u.username, u.password);
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toMatchObject({ code: "INVALID_AUTH", message: "The authentication request failed" });
  });

  it("a disabled account is INVALID_AUTH too", async () => {
    const u = await nativeUser();
    await env.DB.prepare("UPDATE identities SET disabled = 1 WHERE id = ?").bind(u.id).run();
    const res = await authenticate(u.username, u.password);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("INVALID_AUTH");
  });

  it("username of 3 characters → 400 COULD_NOT_VALIDATE with a field cause", async () => {
    const res = await authenticate("abc", "Whatever-1!");
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe("COULD_NOT_VALIDATE");
    expect(err.message).toBe("The supplied request contains an invalid document");
    // gojsonschema's ResultError, as the controller puts it in `cause`.
    expect(err.cause).toEqual({
      details: { context: "(root).username", field: "username", min: 4 },
      field: "username",
      message: "username: String length must be greater than or equal to 4",
      type: "string_gte",
      value: "abc",
    });
  });

  it("password of 101 characters → 400 COULD_NOT_VALIDATE", async () => {
    const res = await authenticate(ADMIN.username, "x".repeat(101));
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe("COULD_NOT_VALIDATE");
    expect(err.cause).toMatchObject({
      field: "password",
      type: "string_lte",
      message: "password: String length must be less than or equal to 100",
      details: { max: 100 },
      value: "******",
    });
  });

  it("envInfo.hostname over 253 and sdkInfo.version over 255 → 400 COULD_NOT_VALIDATE", async () => {
    for (const extra of [{ envInfo: { hostname: "h".repeat(254) } }, { sdkInfo: { version: "v".repeat(256) } }]) {
      const res = await authenticate(ADMIN.username, ADMIN.password, extra);
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe("COULD_NOT_VALIDATE");
    }
  });

  it("configTypes must be an array of strings", async () => {
    const res = await authenticate(ADMIN.username, ADMIN.password, { configTypes: [1, 2] });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe("COULD_NOT_VALIDATE");
    expect(err.cause).toEqual({
      details: { context: "(root).configTypes.0", field: "configTypes.0", expected: "string", given: "integer" },
      field: "configTypes.0",
      message: "configTypes.0: Invalid type. Expected: string, given: integer",
      type: "invalid_type",
      value: 1,
    });
  });

  it("a missing required field → type required on the parent object, with the property in details", async () => {
    const u = await nativeUser();
    const s = await ztSession(u.username, u.password);
    const res = await zcall("/sessions", { method: "POST", session: s, json: { type: "Dial" } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).cause).toEqual({
      details: { context: "(root)", field: "(root)", property: "serviceId" },
      field: "(root)",
      message: "(root): serviceId is required",
      type: "required",
      value: { type: "Dial" },
    });
  });

  it("missing or unknown method → 400 INVALID_AUTH_METHOD", async () => {
    for (const q of ["", "?method=", "?method=magic"]) {
      const res = await zcall(`/authenticate${q}`, { method: "POST", json: ADMIN });
      expect(res.status, q).toBe(400);
      expect(await errorOf(res)).toMatchObject({
        code: "INVALID_AUTH_METHOD",
        message: "The supplied authentication method is not valid",
      });
    }
  });

  it("method=ext-jwt with a JWT no signer issued → 401 INVALID_AUTH (signers: ziti-ext-jwt.isolated.test.ts)", async () => {
    const res = await zcall("/authenticate?method=ext-jwt", {
      method: "POST",
      headers: { authorization: "Bearer x.y.z" },
    });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("INVALID_AUTH");
  });

  it("method=cert without a client certificate → 401 INVALID_AUTH", async () => {
    const res = await zcall("/authenticate?method=cert", { method: "POST" });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("INVALID_AUTH");
  });

  it("method=password without credentials → 401 INVALID_AUTH", async () => {
    const res = await zcall("/authenticate?method=password", { method: "POST", json: {} });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("INVALID_AUTH");
  });

  it("malformed JSON → 400 COULD_NOT_PARSE_BODY", async () => {
    const res = await zcall("/authenticate?method=password", {
      method: "POST",
      body: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({
      code: "COULD_NOT_PARSE_BODY",
      message: "The body of the request could not be parsed",
    });
  });

  it("too many attempts for one account → 429 RATE_LIMITED with Retry-After", async () => {
    const u = await nativeUser();
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) last = await authenticate(u.username, "Wrong-Pass-1!");
    expect(last?.status).toBe(429);
    expect(last?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await errorOf(last as Response)).toMatchObject({
      code: "RATE_LIMITED",
      causeMessage: "you have hit a rate limit in the requested operation",
    });
  });
});

describe("sessions: refusals", () => {
  it("no zt-session → 401 UNAUTHORIZED", async () => {
    const res = await zcall("/current-api-session");
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toMatchObject({
      code: "UNAUTHORIZED",
      message: "The request could not be completed. The session is not authorized or the credentials are invalid",
    });
  });

  it("unknown zt-session → 401 UNAUTHORIZED", async () => {
    for (const path of ["/current-api-session", "/current-identity", "/current-identity/mfa"]) {
      const res = await zcall(path, { session: "00000000-0000-4000-8000-000000000000" });
      expect(res.status, path).toBe(401);
      expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
    }
  });

  it("expired zt-session → 401 UNAUTHORIZED", async () => {
    const u = await nativeUser();
    const token = await ztSession(u.username, u.password);
    await env.DB.prepare("UPDATE api_sessions SET expires_at = ? WHERE identity_id = ?")
      .bind(Date.now() - 1, u.id)
      .run();
    const res = await zcall("/current-api-session", { session: token });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
  });

  it("a session of an identity disabled since → 401", async () => {
    const u = await nativeUser();
    const token = await ztSession(u.username, u.password);
    await env.DB.prepare("UPDATE identities SET disabled = 1 WHERE id = ?").bind(u.id).run();
    expect((await zcall("/current-api-session", { session: token })).status).toBe(401);
  });

  it("logout, then the same token → 401", async () => {
    const u = await nativeUser();
    const token = await ztSession(u.username, u.password);
    const out = await zcall("/current-api-session", { method: "DELETE", session: token });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ data: {}, meta: {} });
    const again = await zcall("/current-api-session", { session: token });
    expect(again.status).toBe(401);
    expect((await errorOf(again)).code).toBe("UNAUTHORIZED");
  });
});

describe("POST /authenticate: success", () => {
  it("returns every currentApiSessionDetail field, meta {}, zt-session and expiry headers", async () => {
    const u = await nativeUser();
    const before = Date.now();
    const res = await authenticate(u.username, u.password, {
      configTypes: ["f2dd2df0-9c04-4b84-a91e-71437ac229f1", "all"],
      envInfo: {
        arch: "amd64",
        os: "linux",
        osRelease: "6.1",
        osVersion: "12",
        hostname: "box-1",
        domain: "example.test",
      },
      sdkInfo: {
        type: "ziti-sdk-golang",
        version: "0.23.0",
        appId: "test",
        appVersion: "1",
        branch: "main",
        revision: "abc",
      },
    });
    expect(res.status).toBe(200);
    const token = res.headers.get("zt-session");
    expect(token).toBeTruthy();
    const { data, meta } = await body(res);
    expect(meta).toEqual({});
    expect(Object.keys(data).sort()).toEqual(
      [
        "_links",
        "authQueries",
        "authenticatorId",
        "cachedLastActivityAt",
        "configTypes",
        "createdAt",
        "expirationSeconds",
        "expiresAt",
        "id",
        "identity",
        "identityId",
        "ipAddress",
        "isCertExtendable",
        "isMfaComplete",
        "isMfaRequired",
        "lastActivityAt",
        "tags",
        "token",
        "updatedAt",
      ].sort(),
    );
    expect(data).toMatchObject({
      _links: { self: { href: "./current-api-session" } },
      tags: {},
      token,
      identityId: u.id,
      identity: {
        id: u.id,
        name: u.username,
        entity: "identities",
        _links: { self: { href: `./identities/${u.id}` } },
      },
      // `all` stays `all` (every config type, also later ones); see "configTypes are resolved" below.
      configTypes: ["all"],
      authQueries: [],
      isMfaRequired: false,
      isMfaComplete: false,
      isCertExtendable: false,
    });
    expect(typeof data.ipAddress).toBe("string");
    expect(typeof data.authenticatorId).toBe("string");
    for (const k of ["createdAt", "updatedAt", "lastActivityAt", "cachedLastActivityAt", "expiresAt"]) {
      expect(data[k], k).toMatch(RFC3339);
    }
    const expiresAt = Date.parse(data.expiresAt as string);
    expect(expiresAt - before).toBeGreaterThanOrEqual(30 * 60 * 1000 - 1000);
    expect(data.expirationSeconds).toBeGreaterThan(1790);
    expect(data.expirationSeconds).toBeLessThanOrEqual(1800);
    expect(res.headers.get("expiration-seconds")).toMatch(/^\d+$/);
    expect(Number(res.headers.get("expiration-seconds"))).toBe(data.expirationSeconds);
    expect(res.headers.get("expires-at")).toMatch(GO_TIME);
    expect(Date.parse(`${(res.headers.get("expires-at") ?? "").replace(" +0000 UTC", "Z").replace(" ", "T")}`)).toBe(
      expiresAt,
    );

    const me = await body(await zcall("/current-identity", { session: token ?? "" }));
    expect(me.data.envInfo).toEqual({
      arch: "amd64",
      os: "linux",
      osRelease: "6.1",
      osVersion: "12",
      hostname: "box-1",
      domain: "example.test",
    });
    expect(me.data.sdkInfo).toMatchObject({ type: "ziti-sdk-golang", version: "0.23.0" });
    expect(me.data.hasApiSession).toBe(true);

    // lastActivityAt is the stored value (written at most every 90 s); cachedLastActivityAt the latest request.
    const beforeRead = Date.now();
    const again = await body(await zcall("/current-api-session", { session: token ?? "" }));
    expect(again.data.lastActivityAt).toBe(data.lastActivityAt);
    expect(Date.parse(again.data.cachedLastActivityAt as string)).toBeGreaterThanOrEqual(beforeRead);
  });

  it("GET /current-api-session echoes the presented token and sends the expiry headers", async () => {
    const u = await nativeUser();
    const token = await ztSession(u.username, u.password);
    const res = await zcall("/current-api-session", { session: token });
    expect(res.status).toBe(200);
    const { data, meta } = await body(res);
    expect(meta).toEqual({});
    expect(data.token).toBe(token);
    expect(data.identityId).toBe(u.id);
    expect(res.headers.get("expiration-seconds")).toMatch(/^\d+$/);
    expect(res.headers.get("expires-at")).toMatch(GO_TIME);
  });

  it("the zt-session header name is case-insensitive", async () => {
    const u = await nativeUser();
    const token = await ztSession(u.username, u.password);
    for (const name of ["ZT-SESSION", "Zt-Session"]) {
      const res = await zcall("/current-api-session", { headers: { [name]: token } });
      expect(res.status, name).toBe(200);
    }
  });

  it("a person created on the native face signs in here with the same password", async () => {
    const u = await nativeUser("reporter", "An0ther!Passw0rd");
    const res = await authenticate(u.username, "An0ther!Passw0rd");
    expect(res.status).toBe(200);
    const { data } = await body(res);
    expect(data.identityId).toBe(u.id);
  });

  it("the legacy un-prefixed /authenticate works the same", async () => {
    const u = await nativeUser();
    const { call } = await import("./helpers");
    const res = await call("/authenticate?method=password", {
      method: "POST",
      json: { username: u.username, password: u.password },
      headers: { "cf-connecting-ip": "198.19.0.1" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("zt-session")).toBeTruthy();
  });
});

describe("wire fidelity: configTypes and the controller headers", () => {
  it("configTypes are resolved to config-type ids (names or ids; unknown ones dropped)", async () => {
    const name = `zt-ct-${crypto.randomUUID().slice(0, 8)}`;
    const created = await call("/api/v1/ziti/config-types", {
      method: "POST",
      headers: bearer(await adminLogin()),
      json: { name },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const u = await nativeUser();
    const res = await authenticate(u.username, u.password, {
      configTypes: [name, id, "no-such-type", crypto.randomUUID()],
    });
    expect(res.status).toBe(200);
    const { data } = await body(res);
    expect(data.configTypes).toEqual([id]);
    const again = await body(await zcall("/current-api-session", { session: res.headers.get("zt-session") ?? "" }));
    expect(again.data.configTypes).toEqual([id]);
  });

  it("server and ziti-instance-id on every answer (success, error, not found); the instance id is the controller's id", async () => {
    const u = await nativeUser();
    const token = await ztSession(u.username, u.password);
    const ctrl = await zcall("/controllers", { session: token });
    const controllerId = (await body<{ id: string }[]>(ctrl)).data[0]?.id;
    expect(controllerId).toMatch(/^[0-9a-f-]{36}$/);
    for (const res of [
      ctrl,
      await zcall("/version"),
      await zcall("/current-identity"),
      await zcall("/no-such-path"),
      await authenticate(u.username, "Wrong-Pass-1!"),
    ]) {
      expect(res.headers.get("server")).toMatch(/^ziti-controller\/v\d+\.\d+\.\d+/);
      expect(res.headers.get("ziti-instance-id")).toBe(controllerId);
    }
  });

  it("CORS: preflight 200 with the controller's headers and methods; answers reflect the origin", async () => {
    const pre = await zcall("/authenticate?method=password", {
      method: "OPTIONS",
      headers: { origin: "https://app.example.test", "access-control-request-method": "POST" },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://app.example.test");
    expect(pre.headers.get("access-control-allow-credentials")).toBe("true");
    expect(pre.headers.get("access-control-allow-headers")).toBe("content-type, accept, authorization, zt-session");
    expect(pre.headers.get("access-control-allow-methods")).toBe("GET, HEAD, POST, PUT, PATCH, DELETE");
    const res = await zcall("/version", { headers: { origin: "https://app.example.test" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.test");
    expect(res.headers.get("access-control-expose-headers")).toContain("zt-session");
    const plain = await zcall("/version");
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
  });
});
