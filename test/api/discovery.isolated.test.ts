import type { DiscoveredAddress, ServerMessage } from "@fleetgate/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually, type SimAgent } from "./agent-helpers";
import { adminLogin, bearer, type Session, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

/**
 * Discovery through agents (linux-patch-manager.md §4 Discovery): the range must lie inside the
 * allowlisted discovery CIDRs and be at most a /22; the scan goes to an online agent (simulated
 * here; the real agent's prober is tested in packages/agent/src/discovery and end to end), which
 * streams results that only it may write, only inside the range.
 */
type Discover = Extract<ServerMessage, { type: "discover" }>;
const isDiscover = (f: ServerMessage): f is Discover => f.type === "discover";
const uniq = () => crypto.randomUUID().slice(0, 8);

let admin: Session;
let scanner: SimAgent;
let other: SimAgent;
const site = `lab-${uniq()}`;

const post = async (path: string, json: unknown, session?: Session) =>
  call(path, { method: "POST", headers: bearer(session ?? admin), json });
const get = async (path: string, session?: Session) => call(path, { headers: bearer(session ?? admin) });
const found = (ip: string, extra: Partial<DiscoveredAddress> = {}): DiscoveredAddress => ({
  ip_address: ip,
  fqdn: null,
  agent_port_open: true,
  ssh_open: false,
  identity: null,
  ...extra,
});

beforeAll(async () => {
  admin = await adminLogin();
  const res = await call("/api/v1/settings", {
    method: "PUT",
    headers: bearer(admin),
    json: { discovery_cidrs: ["127.0.0.0/24", "10.77.0.0/16"] },
  });
  expect(res.status).toBe(200);
  scanner = await connectAgent(await enrollHost());
  other = await connectAgent(await enrollHost(), { tags: { site } });
  // via_tag selects admin tags only: `other` merely reports the label and is never picked.
  for (const [id, tags] of [
    [scanner.host.id, { site }],
    [other.host.id, { site: `${site}-other` }],
  ] as const) {
    const tagged = await call(`/api/v1/hosts/${id}/tags`, { method: "PUT", headers: bearer(admin), json: { tags } });
    expect(tagged.status).toBe(200);
  }
  // The agents' hello marks them online in D1 (via_tag picks online hosts only).
  await eventually(async () => {
    const h = (await (await get(`/api/v1/hosts/${scanner.host.id}`)).json()) as { online?: boolean };
    return h.online === true;
  });
});

describe("POST /api/v1/discovery/cidr: refusals", () => {
  it("refuses ranges wider than a /22, outside the allowlist, or malformed (400 bad_request, reference text)", async () => {
    for (const [cidr, message] of [
      ["10.77.0.0/21", /^Invalid CIDR range: at most 1024 addresses/],
      ["10.0.0.0/8", /^Invalid CIDR range: at most 1024 addresses/],
      ["192.168.7.0/24", /^Invalid CIDR range: not inside the discovery allowlist/],
      ["127.0.1.0/24", /^Invalid CIDR range: not inside the discovery allowlist/],
      ["10.77.0.1/24", /^Invalid CIDR range$/],
      ["not-a-range", /^Invalid CIDR range$/],
    ] as const) {
      const res = await post("/api/v1/discovery/cidr", { cidr, via_host_id: scanner.host.id });
      expect(res.status, cidr).toBe(400);
      const err = await nativeError(res);
      expect(err.code, cidr).toBe("bad_request");
      expect(err.message, cidr).toMatch(message);
    }
    expect(scanner.frames.some(isDiscover)).toBe(false);
  });

  it("needs exactly one of via_host_id and via_tag; an agent that is not online is a 409 with nothing left behind", async () => {
    for (const body of [
      { cidr: "127.0.0.8/29" },
      { cidr: "127.0.0.8/29", via_host_id: scanner.host.id, via_tag: `site=${site}` },
    ]) {
      const res = await post("/api/v1/discovery/cidr", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await nativeError(res)).code).toBe("validation_error");
    }
    const offline = await enrollHost();
    const res = await post("/api/v1/discovery/cidr", { cidr: "127.0.0.8/29", via_host_id: offline.id });
    expect(res.status).toBe(409);
    expect((await nativeError(res)).message).toBe("No online agent can run this scan");
    const none = await post("/api/v1/discovery/cidr", { cidr: "127.0.0.8/29", via_tag: `site=nowhere-${uniq()}` });
    expect(none.status).toBe(409);
    const unknown = await post("/api/v1/discovery/cidr", { cidr: "127.0.0.8/29", via_host_id: crypto.randomUUID() });
    expect(unknown.status).toBe(404);
  });

  it("reporters may not scan", async () => {
    const reporter = (await userWithRole("reporter")).session;
    const res = await post("/api/v1/discovery/cidr", { cidr: "127.0.0.8/29", via_host_id: scanner.host.id }, reporter);
    expect(res.status).toBe(403);
  });
});

describe("a scan through an agent", () => {
  let scanId = "";
  let frame: Discover;

  it("hands the scan to the online agent carrying the tag, with the bounds of the probe", async () => {
    const res = await post("/api/v1/discovery/cidr", {
      cidr: "127.0.0.8/29",
      agent_port: 12555,
      via_tag: `site=${site}`,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({
      message: "Discovery scan started",
      cidr: "127.0.0.8/29",
      via_host_id: scanner.host.id,
    });
    scanId = body.scan_id ?? "";
    frame = await scanner.waitFor((f): f is Discover => isDiscover(f) && f.scan_id === scanId);
    expect(frame).toEqual({
      type: "discover",
      scan_id: scanId,
      cidr: "127.0.0.8/29",
      agent_port: 12555,
      concurrency: 64,
      timeout_ms: 2000,
    });
    expect(other.frames.some((f) => isDiscover(f) && f.scan_id === scanId)).toBe(false);
    const status = (await (await get(`/api/v1/discovery/${scanId}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ scan_id: scanId, status: "running", via_host_id: scanner.host.id, found: 0 });
  });

  it("stores streamed results of its own agent inside the range only", async () => {
    // Another agent cannot write into this scan.
    other.send({ type: "discovery_results", scan_id: scanId, results: [found("127.0.0.13")] });
    scanner.send({
      type: "discovery_results",
      scan_id: scanId,
      results: [
        found("127.0.0.10", {
          fqdn: "old.example.test",
          identity: { common_name: "old.example.test", dns_names: [], fingerprint_sha256: "ab".repeat(32) },
        }),
        found("127.0.0.11", { agent_port_open: false, ssh_open: true }),
        // Outside the scan's range: dropped.
        found("127.0.0.100"),
        found("10.77.0.1"),
      ],
    });
    const rows = await eventually(async () => {
      const list = (await (await get(`/api/v1/discovery/${scanId}`)).json()) as Record<string, unknown>[];
      return list.length >= 2 ? list : undefined;
    });
    expect(rows.map((r) => r.ip_address).sort()).toEqual(["127.0.0.10", "127.0.0.11"]);
    const ten = rows.find((r) => r.ip_address === "127.0.0.10");
    expect(ten).toMatchObject({
      scan_id: scanId,
      fqdn: "old.example.test",
      agent_version: null,
      os_name: null,
      agent_port: 12555,
      registered: false,
      agent_port_open: true,
      ssh_open: false,
      agent_identity: { common_name: "old.example.test", dns_names: [], fingerprint_sha256: "ab".repeat(32) },
      host_id: null,
    });
    expect(String(ten?.discovered_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it("is completed by the agent's done frame; later frames change nothing", async () => {
    other.send({ type: "discovery_done", scan_id: scanId, probed: 1, error: "not yours" });
    scanner.send({ type: "discovery_done", scan_id: scanId, probed: 6, error: null });
    const status = await eventually(async () => {
      const s = (await (await get(`/api/v1/discovery/${scanId}/status`)).json()) as Record<string, unknown>;
      return s.status === "running" ? undefined : s;
    });
    expect(status).toMatchObject({ status: "completed", probed: 6, found: 2, error: null });
    expect(status.completed_at).toEqual(expect.any(String));
    scanner.send({ type: "discovery_results", scan_id: scanId, results: [found("127.0.0.12")] });
    await new Promise((r) => setTimeout(r, 200));
    const rows = (await (await get(`/api/v1/discovery/${scanId}`)).json()) as unknown[];
    expect(rows).toHaveLength(2);
  });

  it("registers a discovered address as a host with a one-time enrollment, once", async () => {
    const rows = (await (await get(`/api/v1/discovery/${scanId}`)).json()) as { id: string; ip_address: string }[];
    const ten = rows.find((r) => r.ip_address === "127.0.0.10");
    const eleven = rows.find((r) => r.ip_address === "127.0.0.11");
    const res = await post(`/api/v1/discovery/${ten?.id}/register`, { display_name: "Old box" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      host_id: string;
      message: string;
      install_command: string;
      enrollment: { jwt: string };
    };
    expect(body.message).toBe("Host registered from discovery");
    expect(body.install_command).toBe(
      `curl -fsSL http://127.0.0.1/agent/v1/install.sh | sudo sh -s -- --token ${body.enrollment.jwt}`,
    );
    const host = (await (await get(`/api/v1/hosts/${body.host_id}`)).json()) as Record<string, unknown>;
    expect(host).toMatchObject({
      fqdn: "old.example.test",
      ip_address: "127.0.0.10",
      display_name: "Old box",
      agent_port: 12555,
      health_status: "pending",
    });
    const again = await post(`/api/v1/discovery/${ten?.id}/register`, {});
    expect(again.status).toBe(409);
    const after = (await (await get(`/api/v1/discovery/${scanId}`)).json()) as Record<string, unknown>[];
    expect(after.find((r) => r.ip_address === "127.0.0.10")).toMatchObject({ registered: true, host_id: body.host_id });
    // No reverse name and no identity: the address is the host's name.
    const byIp = await post(`/api/v1/discovery/${eleven?.id}/register`, {});
    expect(byIp.status).toBe(200);
    const ipHost = (await (
      await get(`/api/v1/hosts/${((await byIp.json()) as { host_id: string }).host_id}`)
    ).json()) as Record<string, unknown>;
    expect(ipHost).toMatchObject({ fqdn: "127.0.0.11", ip_address: "127.0.0.11" });
  });

  it("unknown ids are 404, malformed ids 400, and other operators' scans are invisible", async () => {
    expect((await get(`/api/v1/discovery/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await get("/api/v1/discovery/nope")).status).toBe(400);
    expect((await post(`/api/v1/discovery/${crypto.randomUUID()}/register`, {})).status).toBe(404);
    // The scanner is in a group the operator is not in: its scans are not the operator's to see.
    const g = await post("/api/v1/groups", { name: `g-${uniq()}` });
    const groupId = ((await g.json()) as { id: string }).id;
    expect((await post(`/api/v1/hosts/${scanner.host.id}/groups`, { group_id: groupId })).status).toBeLessThan(300);
    const operator = (await userWithRole("operator")).session;
    expect((await get(`/api/v1/discovery/${scanId}`, operator)).status).toBe(404);
  });
});
