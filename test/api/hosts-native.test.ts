import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { channelStub, connectAgent, echo, enrollHost, eventually } from "./agent-helpers";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { agentProof } from "./pki-helpers";

interface Summary {
  id: string;
  name: string;
  online: boolean;
  last_seen_at: string | null;
  agent_version: string;
  os_family: string;
}

async function listAll(
  query = "limit=200",
): Promise<{ hosts: Summary[]; total: number; limit: number; offset: number }> {
  const res = await call(`/api/v1/hosts?${query}`, { headers: bearer(await adminLogin()) });
  expect(res.status).toBe(200);
  return (await res.json()) as { hosts: Summary[]; total: number; limit: number; offset: number };
}

describe("the agent connection", () => {
  it("refuses a plain GET (no upgrade) without burning anything, and a bad proof before upgrading", async () => {
    const plain = await call("/agent/v1/connect");
    expect(plain.status).toBe(426);
    const bad = await call("/agent/v1/connect", { headers: { Upgrade: "websocket", authorization: "Bearer x.y.z" } });
    expect(bad.status).toBe(401);
  });

  it("a replayed proof is refused", async () => {
    const host = await enrollHost();
    const proof = await agentProof(host, "http://127.0.0.1/agent/v1/connect");
    const headers = { Upgrade: "websocket", authorization: `Bearer ${proof}` };
    const first = await call("/agent/v1/connect", { headers });
    expect(first.status).toBe(101);
    first.webSocket?.accept();
    first.webSocket?.close();
    expect((await call("/agent/v1/connect", { headers })).status).toBe(401);
  });

  it("hello records version, OS, labels, hostname, scripts; online while connected, offline after", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, {
      scripts: { echo },
      tags: { rack: "b4" },
      hostname: "box-7",
      version: "1.2.3",
    });
    const detail = (await (
      await call(`/api/v1/hosts/${host.id}`, { headers: bearer(await adminLogin()) })
    ).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({
      id: host.id,
      name: host.name,
      online: true,
      agent_version: "1.2.3",
      os_family: "debian",
      os_name: "Debian GNU/Linux 12 (bookworm)",
      arch: "x86_64",
      reported_hostname: "box-7",
      labels: { rack: "b4" },
      tags: {},
      crl_status: "not_reporting",
    });
    expect(typeof detail.last_seen_at).toBe("string");
    const scripts = (await (
      await call(`/api/v1/hosts/${host.id}/scripts`, { headers: bearer(await adminLogin()) })
    ).json()) as {
      name: string;
      path: string;
      executable: boolean;
    }[];
    expect(scripts).toEqual([
      {
        name: "echo",
        path: "/opt/scripts/echo.sh",
        description: "",
        executable: true,
        sha256: "",
        updated_at: expect.any(String),
      },
    ]);
    agent.close();
    await eventually(async () => (await listAll()).hosts.find((h) => h.id === host.id)?.online === false);
  });

  it("a second connection replaces the first; the host stays online", async () => {
    const host = await enrollHost();
    const a = await connectAgent(host);
    const b = await connectAgent(host);
    await eventually(async () => a.closed);
    expect((await channelStub(host.id).status()).online).toBe(true);
    b.close();
  });

  it("a HostChannel reset keeps the hibernated socket: commands still reach the agent", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { echo } });
    await evictDurableObject(channelStub(host.id));
    const res = await call("/api/v1/jobs", {
      method: "POST",
      headers: bearer(await adminLogin()),
      json: { kind: "script", script: "echo", args: ["still here"], host_ids: [host.id] },
    });
    expect(res.status).toBe(200);
    await eventually(async () => agent.executed.length === 1);
    agent.close();
  });
});

describe("GET /api/v1/hosts", () => {
  it("paginates with total, limit, offset, and shows online and last seen", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host);
    const page = await listAll("limit=1&offset=0");
    expect(page.limit).toBe(1);
    expect(page.hosts).toHaveLength(1);
    expect(page.total).toBeGreaterThan(0);
    const all = await listAll(`search=${host.name}`);
    expect(all.hosts).toEqual([
      expect.objectContaining({ id: host.id, name: host.name, online: true, last_seen_at: expect.any(String) }),
    ]);
    expect(Object.keys(all.hosts[0] ?? {}).sort()).toEqual(
      [
        "agent_version",
        "crl_status",
        "display_name",
        "fqdn",
        "health_check_status",
        "health_status",
        "id",
        "ip_address",
        "last_seen_at",
        "name",
        "online",
        "os_family",
        "os_name",
        "patches_missing",
        "registered_at",
      ].sort(),
    );
    agent.close();
  });

  it("filters by group and sorts", async () => {
    const [h1, h2] = await Promise.all([enrollHost(), enrollHost()]);
    const admin = await adminLogin();
    const g = (await (
      await call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name: `hg-${Date.now()}` } })
    ).json()) as {
      id: string;
    };
    for (const h of [h1, h2]) {
      await call(`/api/v1/hosts/${h.id}/groups`, { method: "POST", headers: bearer(admin), json: { group_id: g.id } });
    }
    const desc = await listAll(`group_id=${g.id}&sort_by=fqdn&order=desc`);
    expect(desc.hosts.map((h) => h.name)).toEqual([h1.name, h2.name].sort().reverse());
  });
});

describe("host resources", () => {
  it("PUT edits display name, FQDN, IP and notes", async () => {
    const host = await enrollHost();
    const res = await call(`/api/v1/hosts/${host.id}`, {
      method: "PUT",
      headers: bearer(await adminLogin()),
      json: { display_name: "Web 1", fqdn: "web-1.example.com", ip_address: "192.0.2.10", notes: "rack b4" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      display_name: "Web 1",
      fqdn: "web-1.example.com",
      ip_address: "192.0.2.10",
      notes: "rack b4",
    });
    const bad = await call(`/api/v1/hosts/${host.id}`, {
      method: "PUT",
      headers: bearer(await adminLogin()),
      json: { ip_address: "not-an-ip" },
    });
    expect(bad.status).toBe(400);
  });

  it("groups: add, list, remove; removing twice → 404", async () => {
    const host = await enrollHost();
    const admin = await adminLogin();
    const g = (await (
      await call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name: `hx-${Date.now()}` } })
    ).json()) as {
      id: string;
    };
    const add = await call(`/api/v1/hosts/${host.id}/groups`, {
      method: "POST",
      headers: bearer(admin),
      json: { group_id: g.id },
    });
    expect(await add.json()).toEqual({ message: "Host added to group" });
    const list = (await (await call(`/api/v1/hosts/${host.id}/groups`, { headers: bearer(admin) })).json()) as {
      id: string;
    }[];
    expect(list.map((x) => x.id)).toEqual([g.id]);
    const del = await call(`/api/v1/hosts/${host.id}/groups/${g.id}`, { method: "DELETE", headers: bearer(admin) });
    expect(await del.json()).toEqual({ message: "Host removed from group" });
    const again = await call(`/api/v1/hosts/${host.id}/groups/${g.id}`, { method: "DELETE", headers: bearer(admin) });
    expect(again.status).toBe(404);
    const unknownGroup = await call(`/api/v1/hosts/${host.id}/groups`, {
      method: "POST",
      headers: bearer(admin),
      json: { group_id: crypto.randomUUID() },
    });
    expect(unknownGroup.status).toBe(404);
  });

  it("operators cannot see hosts of other groups (403 Access denied)", async () => {
    const host = await enrollHost();
    const admin = await adminLogin();
    const g = (await (
      await call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name: `hp-${Date.now()}` } })
    ).json()) as {
      id: string;
    };
    await call(`/api/v1/hosts/${host.id}/groups`, { method: "POST", headers: bearer(admin), json: { group_id: g.id } });
    const op = await userWithRole("operator");
    const res = await call(`/api/v1/hosts/${host.id}`, { headers: bearer(op.session) });
    expect(res.status).toBe(403);
    expect(await nativeError(res)).toEqual({ code: "forbidden", message: "Access denied" });
  });

  it("DELETE removes the host, revokes its certificates and closes its connection", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host);
    const admin = await adminLogin();
    const res = await call(`/api/v1/hosts/${host.id}`, { method: "DELETE", headers: bearer(admin) });
    expect(await res.json()).toEqual({ message: "Host removed" });
    await eventually(async () => agent.closed);
    expect((await call(`/api/v1/hosts/${host.id}`, { headers: bearer(admin) })).status).toBe(404);
    const certs = (await (
      await call(`/api/v1/certificates?host_id=${host.id}`, { headers: bearer(admin) })
    ).json()) as {
      status: string;
    }[];
    expect(certs.every((c) => c.status === "revoked")).toBe(true);
    await expect(connectAgent(host)).rejects.toThrow(/401/);
  });

  it("unknown host → 404", async () => {
    const res = await call(`/api/v1/hosts/${crypto.randomUUID()}`, { headers: bearer(await adminLogin()) });
    expect(res.status).toBe(404);
  });
});
