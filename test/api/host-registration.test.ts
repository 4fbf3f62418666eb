import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connectAgent } from "./agent-helpers";
import { adminLogin, bearer, type Session, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { enrollOtt } from "./pki-helpers";

/**
 * A fake DNS-over-HTTPS server at the configured resolver (DOH_RESOLVER_URL, Cloudflare's by
 * default): names map to JSON answers; `down` refuses connections.
 */
const dns = new Map<string, { A?: string[]; AAAA?: string[]; status?: number; raw?: unknown }>();
let down = false;
const queries: string[] = [];

beforeEach(() => {
  const real = globalThis.fetch.bind(globalThis);
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.origin + url.pathname !== "https://cloudflare-dns.com/dns-query") return real(input, init);
    if (down) throw new TypeError("fetch failed: connection refused");
    const name = url.searchParams.get("name") ?? "";
    const type = url.searchParams.get("type") as "A" | "AAAA";
    queries.push(`${type} ${name}`);
    expect(new Headers(init?.headers).get("accept")).toBe("application/dns-json");
    const entry = dns.get(name);
    if (entry?.raw !== undefined) return Response.json(entry.raw);
    const data = entry?.[type] ?? [];
    return Response.json({
      Status: entry ? (entry.status ?? 0) : 3,
      Answer: data.map((ip) => ({ name, type: type === "A" ? 1 : 28, TTL: 300, data: ip })),
    });
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  down = false;
  queries.length = 0;
});

const uniq = () => crypto.randomUUID().slice(0, 8);
const register = async (json: unknown, session?: Session) =>
  call("/api/v1/hosts", { method: "POST", headers: bearer(session ?? (await adminLogin())), json });

describe("POST /api/v1/hosts", () => {
  it("registers the host with its resolved IP and a one-time enrollment whose install command is returned", async () => {
    const admin = await adminLogin();
    const group = await call("/api/v1/groups", {
      method: "POST",
      headers: bearer(admin),
      json: { name: `g-${uniq()}` },
    });
    const groupId = ((await group.json()) as { id: string }).id;
    const fqdn = `web-${uniq()}.example.com`;
    dns.set(fqdn, { A: ["192.0.2.10"] });
    const res = await register({ fqdn, display_name: "Web", agent_port: 12444, notes: "rack 4", group_ids: [groupId] });
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      id: string;
      message: string;
      enrollment: { id: string; jwt: string; expires_at: string };
      install_command: string;
    };
    expect(body.message).toBe("Host registered");
    expect(body.install_command).toBe(
      `curl -fsSL http://127.0.0.1/agent/v1/install.sh | sudo sh -s -- --token ${body.enrollment.jwt}`,
    );
    const host = (await (await call(`/api/v1/hosts/${body.id}`, { headers: bearer(admin) })).json()) as Record<
      string,
      unknown
    >;
    expect(host).toMatchObject({
      fqdn,
      ip_address: "192.0.2.10",
      display_name: "Web",
      agent_port: 12444,
      notes: "rack 4",
      health_status: "pending",
      online: false,
    });
    const groups = (await (await call(`/api/v1/hosts/${body.id}/groups`, { headers: bearer(admin) })).json()) as {
      id: string;
    }[];
    expect(groups.map((g) => g.id)).toEqual([groupId]);
  });

  it("the host becomes active when its agent enrolls with that token and connects", async () => {
    const admin = await adminLogin();
    const fqdn = `db-${uniq()}.example.com`;
    dns.set(fqdn, { A: ["192.0.2.20"] });
    const body = (await (await register({ fqdn })).json()) as { id: string; enrollment: { jwt: string } };
    const { res, keys } = await enrollOtt({ jwt: body.enrollment.jwt, identity_id: body.id });
    expect(res.status).toBe(200);
    const cert = ((await res.json()) as { data: { cert: string } }).data.cert;
    const certPem = cert.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? "";
    const agent = await connectAgent({ id: body.id, name: fqdn, certPem, keys });
    const host = (await (await call(`/api/v1/hosts/${body.id}`, { headers: bearer(admin) })).json()) as {
      online: boolean;
    };
    expect(host.online).toBe(true);
    agent.close();
    // Single use: the token does not enroll a second time.
    expect((await enrollOtt({ jwt: body.enrollment.jwt, identity_id: body.id })).res.status).not.toBe(200);
  });

  it("falls back to AAAA and accepts a trailing dot and upper case", async () => {
    const fqdn = `v6-${uniq()}.example.com`;
    dns.set(fqdn, { AAAA: ["2001:db8::7"] });
    const res = await register({ fqdn: `${fqdn.toUpperCase()}.` });
    expect(res.status).toBe(201);
    expect(queries).toEqual([`A ${fqdn}`, `AAAA ${fqdn}`]);
  });

  it("answers 409 conflict for an FQDN already registered", async () => {
    const fqdn = `dup-${uniq()}.example.com`;
    dns.set(fqdn, { A: ["192.0.2.30"] });
    expect((await register({ fqdn })).status).toBe(201);
    const again = await register({ fqdn: fqdn.toUpperCase() });
    expect(again.status).toBe(409);
    expect(await nativeError(again)).toEqual({ code: "conflict", message: "Host with this FQDN already exists" });
  });

  it.each([
    ["NXDOMAIN", () => undefined],
    ["no address records", (f: string) => dns.set(f, { A: [] })],
    ["SERVFAIL", (f: string) => dns.set(f, { status: 2, A: ["192.0.2.1"] })],
    ["a malformed answer", (f: string) => dns.set(f, { raw: { Answer: "nope" } })],
    ["a non-IP record", (f: string) => dns.set(f, { A: ["not-an-ip"] })],
    [
      "the resolver down",
      () => {
        down = true;
      },
    ],
  ])("answers 400 fqdn_resolution_failed on %s and creates nothing", async (_, setup) => {
    const admin = await adminLogin();
    const fqdn = `gone-${uniq()}.example.com`;
    setup(fqdn);
    const res = await register({ fqdn });
    expect(res.status).toBe(400);
    expect(await nativeError(res)).toEqual({
      code: "fqdn_resolution_failed",
      message: `Could not resolve FQDN '${fqdn}'`,
    });
    const list = (await (await call(`/api/v1/hosts?search=${fqdn}`, { headers: bearer(admin) })).json()) as {
      total: number;
    };
    expect(list.total).toBe(0);
  });

  it.each([
    [{}, "validation_error"],
    [{ fqdn: "bad name!" }, "validation_error"],
    [{ fqdn: "a.example.com", agent_port: 70000 }, "validation_error"],
    [{ fqdn: "a.example.com", group_ids: ["not-a-uuid"] }, "validation_error"],
    [{ fqdn: "a.example.com", group_ids: [crypto.randomUUID()] }, "validation_error"],
  ])("refuses %j with 400 %s", async (json, code) => {
    dns.set("a.example.com", { A: ["192.0.2.40"] });
    const res = await register(json);
    expect(res.status).toBe(400);
    expect((await nativeError(res)).code).toBe(code);
  });

  it("is refused to a reporter (403) and without credentials (401)", async () => {
    const reporter = await userWithRole("reporter");
    expect((await register({ fqdn: "r.example.com" }, reporter.session)).status).toBe(403);
    expect((await call("/api/v1/hosts", { method: "POST", json: { fqdn: "r.example.com" } })).status).toBe(401);
  });
});
