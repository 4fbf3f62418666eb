import { env } from "cloudflare:workers";
import type { InstalledPackage, Inventory, ServerMessage } from "@fleetgate/contract";
import { packageSetHash } from "@fleetgate/contract/patching";
import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually, type SimAgent } from "./agent-helpers";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

/**
 * Inventory end to end inside workerd: a simulated agent reports its packages and pending updates
 * over the real protocol (whole, then as a diff against the acknowledged base), the API shows them
 * (security first), refresh reaches the agent, a health-check test runs on the agent.
 */
const pkg = (name: string, version: string, source = name): InstalledPackage => ({
  name,
  version,
  arch: "amd64",
  source,
  source_version: version,
  status: "ii",
});

const inventory = (packages: InstalledPackage[], extra: Partial<Inventory> = {}): Inventory => ({
  os: {
    id: "debian",
    id_like: [],
    family: "debian",
    version_id: "12",
    codename: "bookworm",
    pretty_name: "Debian GNU/Linux 12 (bookworm)",
    kernel: "6.1.0-18-amd64",
    arch: "x86_64",
  },
  packages,
  updates: [
    {
      name: "zlib1g",
      arch: "amd64",
      current_version: "1:1.2.13.dfsg-1",
      candidate_version: "1:1.2.13.dfsg-1+deb12u1",
      origins: ["Debian-Security:12/stable-security"],
      security: true,
      cve_ids: ["CVE-2023-45853"],
    },
    {
      name: "apt",
      arch: "amd64",
      current_version: "2.6.1",
      candidate_version: "2.6.2",
      origins: ["Debian:12/stable"],
      security: false,
      cve_ids: [],
    },
    {
      name: "custom-tool",
      arch: "amd64",
      current_version: "1.0",
      candidate_version: "1.1",
      origins: ["vendor:stable"],
      security: "unknown",
      cve_ids: [],
    },
  ],
  removals: [],
  reboot_required: true,
  reboot_reasons: ["kernel 6.1.0-20-amd64 installed, 6.1.0-18-amd64 running"],
  lists_age_secs: 120,
  collected_at: Date.now(),
  ...extra,
});

const BASE = [pkg("apt", "2.6.1"), pkg("zlib1g", "1:1.2.13.dfsg-1", "zlib"), pkg("custom-tool", "1.0")];

type Ack = Extract<ServerMessage, { type: "inventory_ack" }>;
const acks = (a: SimAgent) => a.frames.filter((f): f is Ack => f.type === "inventory_ack");
async function nextAck(a: SimAgent, seen: number): Promise<Ack> {
  return eventually(async () => acks(a)[seen]);
}

async function get(path: string) {
  const res = await call(path, { headers: bearer(await adminLogin()) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("host inventory", () => {
  it("stores a whole inventory, then a diff against the acknowledged base; shows packages and updates security first", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host);
    const welcome = agent.frames.find((f) => f.type === "welcome");
    expect(welcome).toMatchObject({ inventory_hash: null });

    agent.send({ type: "inventory", inventory: inventory(BASE) });
    const first = await nextAck(agent, 0);
    expect(first).toEqual({ type: "inventory_ack", hash: await packageSetHash(BASE), full_needed: false });

    const pk = await get(`/api/v1/hosts/${host.id}/packages?limit=2`);
    expect(pk.status).toBe(200);
    expect(pk.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(pk.body.packages).toEqual([
      { name: "apt", arch: "amd64", version: "2.6.1", source: "apt", source_version: "2.6.1", status: "ii" },
      {
        name: "custom-tool",
        arch: "amd64",
        version: "1.0",
        source: "custom-tool",
        source_version: "1.0",
        status: "ii",
      },
    ]);
    expect(pk.body.inventory).toMatchObject({
      package_count: 3,
      update_count: 3,
      security_update_count: 1,
      reboot_required: true,
      os: { id: "debian", version_id: "12", kernel: "6.1.0-18-amd64" },
    });

    const up = await get(`/api/v1/hosts/${host.id}/updates`);
    expect(up.status).toBe(200);
    expect((up.body.updates as { name: string; security: unknown }[]).map((u) => [u.name, u.security])).toEqual([
      ["zlib1g", true],
      ["custom-tool", "unknown"],
      ["apt", false],
    ]);
    expect((up.body.updates as unknown[])[0]).toEqual({
      name: "zlib1g",
      arch: "amd64",
      installed_version: "1:1.2.13.dfsg-1",
      candidate_version: "1:1.2.13.dfsg-1+deb12u1",
      source: "zlib",
      security: true,
      cve_ids: ["CVE-2023-45853"],
      origins: ["Debian-Security:12/stable-security"],
    });
    const sec = await get(`/api/v1/hosts/${host.id}/updates?security=true`);
    expect(sec.body.total).toBe(1);
    const hosts = await get(`/api/v1/hosts/${host.id}`);
    expect(hosts.status).toBe(200);
    const row = await env.DB.prepare("SELECT patches_missing AS n FROM hosts WHERE id = ?").bind(host.id).first();
    expect(row).toEqual({ n: 3 });

    // A diff: zlib upgraded, custom-tool removed, a new package; only the apt update is left.
    const next = [pkg("apt", "2.6.1"), pkg("zlib1g", "1:1.2.13.dfsg-1+deb12u1", "zlib"), pkg("newdep", "0.1")];
    const nextInv = inventory(next, { reboot_required: false, reboot_reasons: [] });
    const updates = nextInv.updates.filter((u) => u.name === "apt");
    agent.send({
      type: "inventory_diff",
      diff: {
        base: first.hash ?? "",
        hash: await packageSetHash(next),
        os: nextInv.os,
        upserted: [next[1] as InstalledPackage, next[2] as InstalledPackage],
        removed: ["custom-tool:amd64"],
        updates,
        removals: [],
        reboot_required: false,
        reboot_reasons: [],
        lists_age_secs: 5,
        collected_at: Date.now(),
      },
    });
    const second = await nextAck(agent, 1);
    expect(second).toEqual({ type: "inventory_ack", hash: await packageSetHash(next), full_needed: false });
    const after = await get(`/api/v1/hosts/${host.id}/packages`);
    expect((after.body.packages as { name: string; version: string }[]).map((p) => `${p.name}=${p.version}`)).toEqual([
      "apt=2.6.1",
      "newdep=0.1",
      "zlib1g=1:1.2.13.dfsg-1+deb12u1",
    ]);
    expect(after.body.inventory).toMatchObject({ update_count: 1, security_update_count: 0, reboot_required: false });
    const search = await get(`/api/v1/hosts/${host.id}/packages?search=zlib`);
    expect(search.body.total).toBe(1);

    // The next connection's welcome names the base the server holds.
    agent.close();
    const again = await connectAgent(host);
    expect(again.frames.find((f) => f.type === "welcome")).toMatchObject({ inventory_hash: second.hash });
    again.close();
  });

  it("refuses a diff whose base or result does not match (nothing written; asks for the whole inventory)", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host);
    agent.send({ type: "inventory", inventory: inventory(BASE) });
    const first = await nextAck(agent, 0);
    const inv = inventory(BASE);
    const diff = {
      os: inv.os,
      upserted: [pkg("evil", "1")],
      removed: [],
      updates: [],
      removals: [],
      reboot_required: false,
      reboot_reasons: [],
      lists_age_secs: null,
      collected_at: Date.now(),
    };
    // Wrong base.
    agent.send({ type: "inventory_diff", diff: { ...diff, base: "0".repeat(64), hash: "1".repeat(64) } });
    expect(await nextAck(agent, 1)).toEqual({ type: "inventory_ack", hash: null, full_needed: true });
    // Right base, but the result does not hash to what the agent claims.
    agent.send({ type: "inventory_diff", diff: { ...diff, base: first.hash ?? "", hash: "1".repeat(64) } });
    expect(await nextAck(agent, 2)).toEqual({ type: "inventory_ack", hash: null, full_needed: true });
    const pk = await get(`/api/v1/hosts/${host.id}/packages`);
    expect(pk.body.total).toBe(3);
    expect(pk.body.inventory).toMatchObject({ update_count: 3 });
    // An invalid frame (bad CVE id) is refused by the protocol schema: no ack, nothing stored.
    const bad = inventory([pkg("x", "1")]);
    (bad.updates[0] as { cve_ids: string[] }).cve_ids = ["not-a-cve"];
    agent.send({ type: "inventory", inventory: bad });
    agent.send({ type: "pong", nonce: "n" });
    await new Promise((r) => setTimeout(r, 200));
    expect(acks(agent)).toHaveLength(3);
    expect((await get(`/api/v1/hosts/${host.id}/packages`)).body.total).toBe(3);
    agent.close();
  });

  it("a host that never reported: empty lists, inventory null; unknown host 404, bad id 400, no token 401", async () => {
    const host = await enrollHost();
    const pk = await get(`/api/v1/hosts/${host.id}/packages`);
    expect(pk).toEqual({ status: 200, body: { packages: [], total: 0, limit: 50, offset: 0, inventory: null } });
    const up = await get(`/api/v1/hosts/${host.id}/updates?limit=500`);
    expect(up.body).toMatchObject({ updates: [], limit: 200 });
    const missing = await call(`/api/v1/hosts/${crypto.randomUUID()}/updates`, { headers: bearer(await adminLogin()) });
    expect(missing.status).toBe(404);
    expect((await nativeError(missing)).code).toBe("not_found");
    const bad = await call("/api/v1/hosts/not-a-uuid/packages", { headers: bearer(await adminLogin()) });
    expect(bad.status).toBe(400);
    const badQuery = await call(`/api/v1/hosts/${host.id}/updates?security=maybe`, {
      headers: bearer(await adminLogin()),
    });
    expect(badQuery.status).toBe(400);
    expect((await call(`/api/v1/hosts/${host.id}/packages`)).status).toBe(401);
  });

  it("POST /hosts/{id}/refresh: 202 Refresh queued, the agent is asked, audited; readers are refused", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host);
    const res = await call(`/api/v1/hosts/${host.id}/refresh`, { method: "POST", headers: bearer(await adminLogin()) });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ message: "Refresh queued" });
    await agent.waitFor((f) => f.type === "refresh");
    const audit = await env.DB.prepare(
      "SELECT detail FROM audit_log WHERE action = 'host.inventory_refresh' AND target_id = ?",
    )
      .bind(host.id)
      .first<{ detail: string }>();
    expect(JSON.parse(audit?.detail ?? "{}")).toEqual({ delivered: true });
    agent.close();
    // Offline: still 202 (the agent reports when it connects).
    await eventually(async () => {
      const r = await call(`/api/v1/hosts/${host.id}/refresh`, { method: "POST", headers: bearer(await adminLogin()) });
      return r.status === 202;
    });
    const reporter = await userWithRole("reporter");
    const denied = await call(`/api/v1/hosts/${host.id}/refresh`, {
      method: "POST",
      headers: bearer(reporter.session),
    });
    expect(denied.status).toBe(403);
    const unknown = await call(`/api/v1/hosts/${crypto.randomUUID()}/refresh`, {
      method: "POST",
      headers: bearer(await adminLogin()),
    });
    expect(unknown.status).toBe(404);
  });

  it("health-check test runs on the agent (password sent to the agent only), keeps the result; offline → unhealthy, not kept", async () => {
    const host = await enrollHost();
    const admin = bearer(await adminLogin());
    const created = await call(`/api/v1/hosts/${host.id}/health-checks`, {
      method: "POST",
      headers: admin,
      json: {
        name: "web",
        check_type: "http",
        url: "https://app.internal/health",
        basic_auth_user: "probe",
        basic_auth_pass: "s3cret-Pass!",
      },
    });
    const check = (await created.json()) as { id: string };
    const agent = await connectAgent(host);
    const testing = call(`/api/v1/hosts/${host.id}/health-checks/${check.id}/test`, { method: "POST", headers: admin });
    const ask = await agent.waitFor(
      (f): f is Extract<ServerMessage, { type: "health_check" }> => f.type === "health_check",
    );
    expect(ask.checks).toEqual([
      {
        id: check.id,
        check_type: "http",
        url: "https://app.internal/health",
        expected_body: null,
        ignore_cert_errors: false,
        basic_auth_user: "probe",
        basic_auth_pass: "s3cret-Pass!",
      },
    ]);
    agent.send({
      type: "health_results",
      request_id: ask.request_id,
      results: [{ check_id: check.id, healthy: false, detail: "HTTP 503", latency_ms: 12 }],
    });
    const res = await testing;
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("s3cret");
    expect(JSON.parse(text)).toEqual({ healthy: false, detail: "HTTP 503", latency_ms: 12 });
    const got = await get(`/api/v1/health-checks/${check.id}`);
    expect(got.body.last_result).toMatchObject({ healthy: false, detail: "HTTP 503", latency_ms: 12 });
    const list = await get(`/api/v1/hosts?search=${host.name}`);
    expect((list.body.hosts as { health_check_status: string }[])[0]?.health_check_status).toBe("some_unhealthy");
    agent.close();

    const offline = await eventually(async () => {
      const r = await call(`/api/v1/health-checks/${check.id}/test`, { method: "POST", headers: admin });
      const b = (await r.json()) as { healthy: boolean; detail: string; latency_ms: number };
      return r.status === 200 && /not connected/.test(b.detail) ? b : undefined;
    });
    expect(offline).toEqual({ healthy: false, detail: "not run: the agent is not connected", latency_ms: 0 });
    const results = await env.DB.prepare("SELECT count(*) AS n FROM health_check_results WHERE check_id = ?")
      .bind(check.id)
      .first();
    expect(results).toEqual({ n: 1 });
    const wrongHost = await call(`/api/v1/hosts/${crypto.randomUUID()}/health-checks/${check.id}/test`, {
      method: "POST",
      headers: admin,
    });
    expect(wrongHost.status).toBe(404);
  });
});
