import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  adminToken,
  channelStub,
  connectAgent,
  echo,
  enrollHost,
  eventually,
  execPost,
  tokenFor,
} from "./agent-helpers";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call } from "./helpers";

/** The channel's pending pings (PingRequests), reached into to move a deadline. */
type Pings = { pings: { pending: Map<string, { deadline: number }> } };

describe("POST /ping", () => {
  it("ok with rtt, certificate expiry (openssl format), version and reqid; offline hosts inline", async () => {
    const [up, down] = await Promise.all([enrollHost(), enrollHost()]);
    const agent = await connectAgent(up, { version: "9.9.9" });
    const res = await execPost("/ping", { hosts: [up.name, `${down.name}:7443`], token: await adminToken() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: true; results: Record<string, string>[] };
    expect(body.results).toEqual([
      {
        host: up.name,
        status: "ok",
        rtt: expect.stringMatching(/^\d+ms$/),
        expiry: expect.stringMatching(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/),
        version: "9.9.9",
        reqid: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
      { host: `${down.name}:7443`, status: "error", error: "host offline", rtt: "0ms" },
    ]);
    agent.close();
  });

  it("an agent that never answers → error read timeout after 60s (the deadline is an alarm)", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { pong: false });
    const pending = execPost("/ping", { hosts: [host.name], token: await adminToken() });
    const stub = channelStub(host.id);
    await eventually(() => runInDurableObject(stub, (i) => (i as unknown as Pings).pings.pending.size > 0));
    await runInDurableObject(stub, (i) => {
      for (const p of (i as unknown as Pings).pings.pending.values()) p.deadline = 0;
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const body = (await (await pending).json()) as { results: Record<string, string>[] };
    expect(body.results[0]).toEqual({
      host: host.name,
      status: "error",
      error: "read timeout after 60s",
      rtt: expect.stringMatching(/^\d+ms$/),
    });
    agent.close();
  });

  it("validation, auth and registry in ctrl-exec's order", async () => {
    expect(await (await execPost("/ping", "")).json()).toEqual({
      ok: false,
      error: "bad request",
      detail: "request body required",
    });
    expect(await (await execPost("/ping", { hosts: [] })).json()).toEqual({
      ok: false,
      error: "bad request",
      detail: "hosts must be a non-empty array",
    });
    expect(await (await execPost("/ping", { hosts: ["nope"] })).json()).toEqual({
      ok: false,
      error: "denied",
      code: 1,
    });
    const reporter = await userWithRole("reporter");
    const res = await execPost("/ping", { hosts: ["nope-r"], token: await tokenFor(reporter.session) });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: "unknown agent", detail: "not a registered agent: nope-r" });
  });
});

describe("GET|POST /discovery", () => {
  it("capabilities of connected hosts, keyed by registry name; offline hosts as errors", async () => {
    const [up, down] = await Promise.all([enrollHost(), enrollHost()]);
    const agent = await connectAgent(up, {
      scripts: { echo, deploy: echo },
      tags: { env: "prod" },
      hostname: "other-name",
    });
    const res = await execPost("/discovery", { hosts: [up.name, down.name], token: await adminToken() });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      hosts: {
        [up.name]: {
          host: up.name,
          status: "ok",
          version: "0.1.0-sim",
          reported_hostname: "other-name",
          tags: { env: "prod" },
          scripts: [
            { name: "deploy", path: "/opt/scripts/deploy.sh", executable: true },
            { name: "echo", path: "/opt/scripts/echo.sh", executable: true },
          ],
        },
        [down.name]: { host: down.name, status: "error", error: "host offline" },
      },
    });
    agent.close();
  });

  it("GET without credentials is denied unless the admin opened discovery for the address", async () => {
    await enrollHost();
    expect(await (await call("/discovery")).json()).toEqual({ ok: false, error: "denied", code: 1 });
    const admin = await adminLogin();
    await call("/api/v1/settings/ctrl-exec", {
      method: "PUT",
      headers: bearer(admin),
      json: { anonymous_actions: ["discovery"], anonymous_cidrs: ["192.0.2.0/24"] },
    });
    const res = await call("/discovery", { headers: { "cf-connecting-ip": "192.0.2.9" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hosts: Record<string, unknown> };
    expect(Object.keys(body.hosts).length).toBeGreaterThan(0);
    await call("/api/v1/settings/ctrl-exec", {
      method: "PUT",
      headers: bearer(admin),
      json: { anonymous_actions: [], anonymous_cidrs: [] },
    });
  });

  it("an invalid JSON body counts as {} (all hosts); unknown names → 404", async () => {
    const token = await adminToken();
    const all = await call("/discovery", {
      method: "POST",
      body: "not json",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(all.status).toBe(200);
    const res = await execPost("/discovery", { hosts: ["nope-d"], token });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: "unknown agent", detail: "not a registered agent: nope-d" });
  });
});

describe("OpenAPI documents", () => {
  it("/openapi.json is our own OpenAPI 3.1 document with ctrl-exec's component names", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(
      ["/", "/discovery", "/health", "/openapi-live.json", "/openapi.json", "/ping", "/run", "/status/{reqid}"].sort(),
    );
    expect(Object.keys(doc.paths["/discovery"] ?? {}).sort()).toEqual(["get", "post"]);
    for (const name of [
      "PingRequest",
      "RunRequest",
      "DiscoveryRequest",
      "RunResponse",
      "StatusResponse",
      "ErrorResponse",
    ]) {
      expect(doc.components.schemas, name).toHaveProperty(name);
    }
  });

  it("/openapi.json states the limits the face enforces (generated from the validating schemas)", async () => {
    const doc = (await (await call("/openapi.json")).json()) as {
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    const run = doc.components.schemas.RunRequest?.properties ?? {};
    expect(run.hosts).toMatchObject({ type: "array", minItems: 1, maxItems: 500 });
    expect(run.script).toMatchObject({ type: "string", maxLength: 100, pattern: "^[\\w-]+$" });
    expect(run.args).toMatchObject({ maxItems: 256, items: { type: "string", maxLength: 4096 } });
    expect(doc.components.schemas.DiscoveryRequest?.properties.hosts).toMatchObject({ maxItems: 500 });
  });

  it("GET / lists every endpoint in ctrl-exec's order", async () => {
    const body = (await (await call("/")).json()) as { endpoints: unknown[] };
    expect(body.endpoints).toEqual([
      { method: "GET", path: "/health" },
      { method: "POST", path: "/ping" },
      { method: "POST", path: "/run" },
      { method: "GET", path: "/discovery" },
      { method: "POST", path: "/discovery" },
      { method: "GET", path: "/status/{reqid}" },
      { method: "GET", path: "/openapi.json" },
      { method: "GET", path: "/openapi-live.json" },
    ]);
  });

  it("/openapi-live.json injects host and script enums, x-ctrl-exec-scripts and a +epoch version", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { "live-script": echo } });
    expect((await call("/openapi-live.json")).status).toBe(403);
    const res = await call("/openapi-live.json", { headers: { authorization: `Bearer ${await adminToken()}` } });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      info: { version: string };
      components: {
        schemas: Record<string, { properties: Record<string, { enum?: string[]; items?: { enum: string[] } }> }>;
      };
      "x-ctrl-exec-scripts": Record<string, { hosts: string[] }[]>;
    };
    expect(doc.info.version).toMatch(/^0\.1\.0\+\d{10}$/);
    for (const s of ["PingRequest", "RunRequest", "DiscoveryRequest"]) {
      expect(doc.components.schemas[s]?.properties.hosts?.items?.enum).toContain(host.name);
    }
    expect(doc.components.schemas.RunRequest?.properties.script?.enum).toContain("live-script");
    expect(doc["x-ctrl-exec-scripts"]["live-script"]).toEqual([{ hosts: [host.name] }]);
    agent.close();
  });
});
