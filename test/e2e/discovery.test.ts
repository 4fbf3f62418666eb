/**
 * Discovery through a REAL agent process against the real `wrangler dev`: the agent probes a
 * loopback /29 (a TLS listener presenting an "existing agent" certificate and a plain TCP listener
 * on 127.0.0.x, nothing else of ours), streams what answered, and an address is registered as a
 * host. Only loopback is ever scanned; the bounds are refused by the server.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AgentProcess, adminAccess, until } from "./agent-process";

const base = () => inject("baseUrl");
const suffix = Math.random().toString(36).slice(2, 7);
// A /29 of our own inside 127.0.0.0/24 (other runs on the shared server pick theirs).
const block = 8 * (2 + Math.floor(Math.random() * 28));
const cidr = `127.0.0.${block}/29`;
const tlsIp = `127.0.0.${block + 2}`;
const plainIp = `127.0.0.${block + 3}`;
const cn = `old-agent-${suffix}.example.test`;
let access = "";
let agent: AgentProcess;
let port = 0;
const servers: Server[] = [];

const api = async (route: string, init: { method?: string; json?: unknown } = {}) => {
  const res = await fetch(`${base()}/api/v1${route}`, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json", authorization: `Bearer ${access}` },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & Record<string, unknown>[] };
};

/** A self-signed certificate like an existing agent's server certificate (openssl, as pki-openssl.test.ts). */
function selfSigned() {
  const dir = mkdtempSync(path.join(tmpdir(), "fg-disc-"));
  try {
    const out = spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1"].concat([
        "-subj",
        `/CN=${cn}`,
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ]),
      { encoding: "utf8" },
    );
    if (out.status !== 0) throw new Error(`openssl: ${out.stderr}`);
    return {
      cert: readFileSync(path.join(dir, "cert.pem"), "utf8"),
      key: readFileSync(path.join(dir, "key.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const listen = (server: Server, host: string, p: number) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(p, host, () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    });
  });

beforeAll(async () => {
  access = await adminAccess(base());
  const tls = createTlsServer(selfSigned(), (s) => s.end());
  servers.push(tls);
  port = await listen(tls, tlsIp, 0);
  const plain = createServer((s) => s.end());
  servers.push(plain);
  await listen(plain, plainIp, port);
  // Allow loopback scans (keeping whatever else is allowlisted on the shared server).
  const settings = await api("/settings");
  const current = (settings.body.discovery_cidrs as string[] | undefined) ?? [];
  const put = await api("/settings", {
    method: "PUT",
    json: { discovery_cidrs: [...new Set([...current, "127.0.0.0/24"])] },
  });
  expect(put.status).toBe(200);
  agent = new AgentProcess(base(), `e2e-scan-${suffix}`, { site: `scan-${suffix}` });
  await agent.enroll(access);
  agent.start();
  await agent.waitOnline(access);
  // via_tag selects admin-assigned tags (an agent's own report is only a label).
  const tagged = await api(`/hosts/${agent.hostId}/tags`, {
    method: "PUT",
    json: { tags: { site: `scan-${suffix}` } },
  });
  expect(tagged.status).toBe(200);
}, 180_000);

afterAll(async () => {
  for (const s of servers) s.close();
  await agent?.dispose();
});

describe("discovery through a real agent (loopback only)", () => {
  it("refuses a range over a /22 or outside the allowlist before any agent is asked", async () => {
    for (const range of ["127.0.0.0/21", "10.123.0.0/24"]) {
      const res = await api("/discovery/cidr", { method: "POST", json: { cidr: range, via_host_id: agent.hostId } });
      expect(res.status, range).toBe(400);
      expect((res.body.error as { code: string }).code).toBe("bad_request");
    }
  });

  it("the agent probes the range, streams what answered (with an existing agent's identity), and a host is registered from it", async () => {
    const start = await api("/discovery/cidr", {
      method: "POST",
      json: { cidr, agent_port: port, via_tag: `site=scan-${suffix}` },
    });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    expect(start.body).toMatchObject({ message: "Discovery scan started", cidr, via_host_id: agent.hostId });
    const scanId = String(start.body.scan_id);
    const status = await until(async () => {
      const s = await api(`/discovery/${scanId}/status`);
      return s.body.status === "running" ? undefined : s.body;
    }, 60_000).catch((err) => {
      throw new Error(`${err}; agent log:\n${agent.logs()}`);
    });
    expect(status).toMatchObject({ status: "completed", probed: 6, error: null });
    const rows = (await api(`/discovery/${scanId}`)).body as unknown as Record<string, unknown>[];
    const ours = rows
      .filter((r) => r.agent_port_open === true)
      .sort((a, b) => String(a.ip_address).localeCompare(String(b.ip_address)));
    expect(ours.map((r) => r.ip_address)).toEqual([tlsIp, plainIp]);
    expect(ours[0]).toMatchObject({
      fqdn: cn,
      agent_port: port,
      registered: false,
      agent_identity: { common_name: cn, dns_names: [], fingerprint_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(ours[1]).toMatchObject({ agent_identity: null });
    // Anything else that answered in our /29 can only be an SSH server on loopback.
    for (const r of rows) expect(r.agent_port_open === true || r.ssh_open === true).toBe(true);

    const reg = await api(`/discovery/${ours[0]?.id}/register`, { method: "POST", json: { display_name: "Old box" } });
    expect(reg.status).toBe(200);
    expect(reg.body).toMatchObject({ message: "Host registered from discovery" });
    expect(String(reg.body.install_command)).toMatch(/\/agent\/v1\/install\.sh \| sudo sh -s -- --token \S+$/);
    const host = await api(`/hosts/${reg.body.host_id}`);
    expect(host.body).toMatchObject({ fqdn: cn, ip_address: tlsIp, display_name: "Old box", agent_port: port });
    const again = await api(`/discovery/${ours[0]?.id}/register`, { method: "POST", json: {} });
    expect(again.status).toBe(409);
  }, 120_000);
});
