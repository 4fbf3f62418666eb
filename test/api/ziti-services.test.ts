import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";
import { body, errorOf, nativeUser, zcall, ztSession } from "./ziti-helpers";

/** Creates a managed Ziti entity on the native face (admin) and returns its id. */
async function create(kind: string, json: Record<string, unknown>): Promise<string> {
  const res = await call(`/api/v1/ziti/${kind}`, { method: "POST", headers: bearer(await adminLogin()), json });
  if (res.status !== 201) throw new Error(`create ${kind}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
async function replace(kind: string, id: string, json: Record<string, unknown>) {
  const res = await call(`/api/v1/ziti/${kind}/${id}`, { method: "PUT", headers: bearer(await adminLogin()), json });
  if (res.status !== 200) throw new Error(`update ${kind}: ${res.status} ${await res.text()}`);
}
async function roleAttributes(identityId: string, attrs: string[]) {
  const res = await call(`/api/v1/ziti/identities/${identityId}/role-attributes`, {
    method: "PUT",
    headers: bearer(await adminLogin()),
    json: { roleAttributes: attrs },
  });
  expect(res.status).toBe(200);
}

let seq = 0;
const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${seq++}`;

interface Service {
  id: string;
  name: string;
  permissions: string[];
  config: Record<string, Record<string, unknown>>;
  postureQueries: {
    policyId: string;
    isPassing: boolean;
    postureQueries: { id: string; isPassing: boolean; queryType: string }[];
  }[];
}

/** A small network: one attribute, a Dial and a Bind policy, a router, and a user holding the attribute. */
async function network(opts: { posture?: boolean } = {}) {
  const attr = uniq("team");
  const user = await nativeUser("operator");
  await roleAttributes(user.id, [attr]);
  const typeId = await create("config-types", {
    name: uniq("intercept.v1"),
    schema: { type: "object", required: ["port"], properties: { port: { type: "integer" } } },
  });
  const configId = await create("configs", { name: uniq("cfg"), configTypeId: typeId, data: { port: 443 } });
  const serviceId = await create("services", { name: uniq("svc"), roleAttributes: [attr], configs: [configId] });
  const routerId = await create("edge-routers", {
    name: uniq("er"),
    hostname: "er1.example.test",
    supportedProtocols: { tls: "tls://er1.example.test:3022" },
    isOnline: true,
    roleAttributes: [attr],
  });
  await create("edge-router-policies", {
    name: uniq("erp"),
    identityRoles: [`#${attr}`],
    edgeRouterRoles: [`#${attr}`],
  });
  await create("service-edge-router-policies", {
    name: uniq("serp"),
    serviceRoles: ["#all"],
    edgeRouterRoles: [`#${attr}`],
  });
  let postureId: string | undefined;
  if (opts.posture)
    postureId = await create("posture-checks", {
      name: uniq("os"),
      typeId: "OS",
      roleAttributes: [attr],
      operatingSystems: [{ type: "Linux", versions: [">=5.10"] }],
    });
  const dialPolicy = await create("service-policies", {
    name: uniq("dial"),
    type: "Dial",
    identityRoles: [`#${attr}`],
    serviceRoles: [`@${serviceId}`],
    postureCheckRoles: opts.posture ? [`#${attr}`] : [],
  });
  await create("service-policies", {
    name: uniq("bind"),
    type: "Bind",
    identityRoles: [`@${user.id}`],
    serviceRoles: [`#${attr}`],
  });
  const session = await ztSession(user.username, user.password);
  return { attr, user, typeId, configId, serviceId, routerId, dialPolicy, postureId, session };
}

describe("Ziti services, sessions and service updates (an SDK after login)", () => {
  it("services list only what the identity may Dial/Bind, with configs of the requested types", async () => {
    const n = await network();
    const res = await zcall("/services?limit=500&offset=0&configTypes=all", { session: n.session });
    expect(res.status).toBe(200);
    const list = await body<Service[]>(res);
    expect(list.data.map((s) => s.id)).toEqual([n.serviceId]);
    const [svc] = list.data;
    expect(svc?.permissions).toEqual(["Bind", "Dial"]);
    expect(Object.values(svc?.config ?? {})).toEqual([{ port: 443 }]);
    expect(list.meta).toMatchObject({ pagination: { limit: 500, offset: 0, totalCount: 1 } });

    // Without configTypes (the session asked for none) the config map is empty.
    const plain = await body<Service[]>(await zcall("/services", { session: n.session }));
    expect(plain.data[0]?.config).toEqual({});

    // Another identity sees nothing, and cannot read the service by id.
    const other = await nativeUser("operator");
    const otherSession = await ztSession(other.username, other.password);
    expect((await body<Service[]>(await zcall("/services", { session: otherSession }))).data).toEqual([]);
    expect((await zcall(`/services/${n.serviceId}`, { session: otherSession })).status).toBe(404);
    expect((await zcall(`/services/${n.serviceId}`, { session: n.session })).status).toBe(200);
  });

  it("ZitiQL filters, sorts and rejects invalid queries with the spec's codes", async () => {
    const n = await network();
    const hit = await body<Service[]>(
      await zcall(`/services?filter=${encodeURIComponent(`id = "${n.serviceId}"`)}`, { session: n.session }),
    );
    expect(hit.data).toHaveLength(1);
    const miss = await body<Service[]>(
      await zcall(`/services?filter=${encodeURIComponent('name = "nope"')}`, { session: n.session }),
    );
    expect(miss.data).toHaveLength(0);
    const bad = await zcall(`/services?filter=${encodeURIComponent("name ==")}`, { session: n.session });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("INVALID_FILTER");
    const sort = await zcall("/services?sort=bogus", { session: n.session });
    expect(sort.status).toBe(400);
    expect((await errorOf(sort)).code).toBe("INVALID_SORT_IDENTIFIER");
    const page = await zcall("/services?limit=abc", { session: n.session });
    expect((await errorOf(page)).code).toBe("INVALID_PAGINATION");
  });

  it("sessions: Dial and Bind get a signed token and the router URLs; no router → NO_EDGE_ROUTERS_AVAILABLE", async () => {
    const n = await network();
    for (const type of ["Dial", "Bind"]) {
      const res = await zcall("/sessions", {
        method: "POST",
        session: n.session,
        json: { serviceId: n.serviceId, type },
      });
      expect(res.status).toBe(201);
      const s = await body<{
        id: string;
        token: string;
        type: string;
        edgeRouters: { urls: Record<string, string> }[];
      }>(res);
      expect(s.data.type).toBe(type);
      expect(s.data.token.split(".")).toHaveLength(3);
      expect(s.data.edgeRouters.map((r) => r.urls.tls)).toEqual(["tls://er1.example.test:3022"]);
    }
    const listed = await body<{ id: string }[]>(await zcall("/sessions", { session: n.session }));
    expect(listed.data).toHaveLength(2);
    const first = listed.data[0]?.id ?? "";
    expect((await zcall(`/sessions/${first}`, { session: n.session })).status).toBe(200);
    expect((await zcall(`/sessions/${first}`, { method: "DELETE", session: n.session })).status).toBe(200);
    expect((await zcall(`/sessions/${first}`, { session: n.session })).status).toBe(404);
    // The Bind terminator is visible on the service.
    const terms = await body<{ routerId: string }[]>(
      await zcall(`/services/${n.serviceId}/terminators`, { session: n.session }),
    );
    expect(terms.data.map((t) => t.routerId)).toEqual([n.routerId]);

    // The router goes offline: nothing can carry the service.
    await replace("edge-routers", n.routerId, {
      name: uniq("er"),
      hostname: "er1.example.test",
      supportedProtocols: { tls: "tls://er1.example.test:3022" },
      isOnline: false,
      roleAttributes: [n.attr],
    });
    const none = await zcall("/sessions", {
      method: "POST",
      session: n.session,
      json: { serviceId: n.serviceId, type: "Dial" },
    });
    expect(none.status).toBe(400);
    expect((await errorOf(none)).code).toBe("NO_EDGE_ROUTERS_AVAILABLE");
    // A service the identity cannot see is not found.
    const unknown = await zcall("/sessions", {
      method: "POST",
      session: n.session,
      json: { serviceId: crypto.randomUUID(), type: "Dial" },
    });
    expect(unknown.status).toBe(404);
  });

  it("posture: a failing OS check refuses Dial with INVALID_POSTURE; a passing response lets it through", async () => {
    const n = await network({ posture: true });
    const svc = (await body<Service[]>(await zcall("/services", { session: n.session }))).data[0];
    const dial = svc?.postureQueries.find((p) => p.policyId === n.dialPolicy);
    expect(dial?.isPassing).toBe(false);
    expect(dial?.postureQueries.map((q) => [q.id, q.queryType, q.isPassing])).toEqual([[n.postureId, "OS", false]]);

    const refused = await zcall("/sessions", {
      method: "POST",
      session: n.session,
      json: { serviceId: n.serviceId, type: "Dial" },
    });
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).code).toBe("INVALID_POSTURE");

    const before = (
      await body<{ lastChangeAt: string }>(await zcall("/current-api-session/service-updates", { session: n.session }))
    ).data.lastChangeAt;
    const old = await zcall("/posture-response", {
      method: "POST",
      session: n.session,
      json: { typeId: "OS", id: n.postureId, type: "Linux", version: "4.19.0" },
    });
    expect(old.status).toBe(201);
    expect(
      (await zcall("/sessions", { method: "POST", session: n.session, json: { serviceId: n.serviceId, type: "Dial" } }))
        .status,
    ).toBe(409);
    const bulk = await zcall("/posture-response-bulk", {
      method: "POST",
      session: n.session,
      json: [{ typeId: "OS", id: n.postureId, type: "Linux", version: "6.1.0" }],
    });
    expect(bulk.status).toBe(200);
    expect(
      (await zcall("/sessions", { method: "POST", session: n.session, json: { serviceId: n.serviceId, type: "Dial" } }))
        .status,
    ).toBe(201);
    // The posture result changed, so lastChangeAt moved.
    await new Promise((r) => setTimeout(r, 5));
    const after = (
      await body<{ lastChangeAt: string }>(await zcall("/current-api-session/service-updates", { session: n.session }))
    ).data.lastChangeAt;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
  });

  it("service-updates: stable while nothing changes; a policy change moves lastChangeAt and removes the service", async () => {
    const n = await network();
    const read = async () =>
      (
        await body<{ lastChangeAt: string }>(
          await zcall("/current-api-session/service-updates", { session: n.session }),
        )
      ).data.lastChangeAt;
    const t0 = await read();
    expect(await read()).toBe(t0);
    // Take the attribute away: the Dial and Bind policies no longer select the user... except Bind by @id.
    await roleAttributes(n.user.id, []);
    await new Promise((r) => setTimeout(r, 5));
    const t1 = await read();
    expect(Date.parse(t1)).toBeGreaterThan(Date.parse(t0));
    const svc = (await body<Service[]>(await zcall("/services", { session: n.session }))).data;
    expect(svc.map((s) => s.permissions)).toEqual([["Bind"]]);
    expect(await read()).toBe(t1);
  });

  it("edgeRouterConnectionStatus: unknown while an online router is reachable, offline once none is (never online: no data plane)", async () => {
    const n = await network();
    const status = async () => {
      const me = await body<{ hasEdgeRouterConnection: boolean; edgeRouterConnectionStatus: string }>(
        await zcall("/current-identity", { session: n.session }),
      );
      return [me.data.hasEdgeRouterConnection, me.data.edgeRouterConnectionStatus];
    };
    expect(await status()).toEqual([false, "unknown"]);
    await replace("edge-routers", n.routerId, {
      name: uniq("er-off"),
      hostname: "er1.example.test",
      supportedProtocols: { tls: "tls://er1.example.test:3022" },
      isOnline: false,
      roleAttributes: [n.attr],
    });
    expect(await status()).toEqual([false, "offline"]);
  });

  it("edge routers, controllers and the admin-only service writes", async () => {
    const n = await network();
    const routers = await body<{ id: string; isOnline: boolean }[]>(
      await zcall("/current-identity/edge-routers", { session: n.session }),
    );
    expect(routers.data.map((r) => [r.id, r.isOnline])).toEqual([[n.routerId, true]]);
    const ctrls = await body<{ isOnline: boolean; fingerprint: string; certPem: string }[]>(
      await zcall("/controllers", { session: n.session }),
    );
    expect(ctrls.data).toHaveLength(1);
    expect(ctrls.data[0]?.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(ctrls.data[0]?.certPem).toContain("BEGIN CERTIFICATE");
    const put = await zcall(`/services/${n.serviceId}`, { method: "DELETE", session: n.session });
    expect(put.status).toBe(401);
    expect((await errorOf(put)).code).toBe("UNAUTHORIZED");
    expect((await zcall("/services", {})).status).toBe(401);
  });
});

describe("Ziti management on the native face", () => {
  it("validates configs against their type's JSON schema and role syntax", async () => {
    const admin = bearer(await adminLogin());
    const typeId = await create("config-types", {
      name: uniq("t"),
      schema: { type: "object", required: ["port"], properties: { port: { type: "integer" } } },
    });
    const bad = await call("/api/v1/ziti/configs", {
      method: "POST",
      headers: admin,
      json: { name: uniq("c"), configTypeId: typeId, data: { port: "x" } },
    });
    expect(bad.status).toBe(400);
    const role = await call("/api/v1/ziti/service-policies", {
      method: "POST",
      headers: admin,
      json: { name: uniq("p"), type: "Dial", identityRoles: ["noprefix"] },
    });
    expect(role.status).toBe(400);
    const name = uniq("svc");
    await create("services", { name });
    const dup = await call("/api/v1/ziti/services", { method: "POST", headers: admin, json: { name } });
    expect(dup.status).toBe(409);
    await create("configs", { name: uniq("c"), configTypeId: typeId, data: { port: 22 } });
    const inUse = await call(`/api/v1/ziti/config-types/${typeId}`, { method: "DELETE", headers: admin });
    expect(inUse.status).toBe(409);
  });

  it("is admin only", async () => {
    const op = await nativeUser("operator");
    const login = await call("/api/v1/auth/login", {
      method: "POST",
      json: { username: op.username, password: op.password },
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const res = await call("/api/v1/ziti/services", { headers: bearer(access_token) });
    expect(res.status).toBe(403);
  });
});
