import { env } from "cloudflare:workers";
import { MAX_PENDING_PER_NETWORK } from "@fleetgate/domain";
import { describe, expect, it } from "vitest";
import { call, nativeError } from "../helpers";
import { keyPair, webCryptoCsr } from "../pki-helpers";

// Issue 11: public self-enrollment only had a per-address rate limit, so one network could fill the
// approval queue over time. Now a source network (IPv4 /24, IPv6 /64) has at most
// MAX_PENDING_PER_NETWORK live pending requests; more → 429 in the native shape.

const rnd = () => Math.floor(Math.random() * 256);

const body = async () => {
  const name = `cap-${crypto.randomUUID().slice(0, 8)}`;
  const keys = await keyPair();
  return {
    machine_id: crypto.randomUUID().replaceAll("-", ""),
    fqdn: `${name}.example.test`,
    ip_address: "192.0.2.10",
    os_details: { os: "linux" },
    hostname: name,
    csr: await webCryptoCsr(`CN=${name}`, keys),
  };
};

const submit = async (ip: string) =>
  call("/api/v1/enroll", { method: "POST", json: await body(), headers: { "cf-connecting-ip": ip } });

async function fillNetwork(network: string, n: number, expiresAt = Date.now() + 3600_000) {
  for (let i = 0; i < n; i++) {
    const id = crypto.randomUUID();
    await env.DB.prepare(
      `INSERT INTO enrollment_requests (id, machine_id, fqdn, ip_address, polling_token_hash, status, expires_at,
        created_at, updated_at, source_network) VALUES (?, ?, ?, '192.0.2.1', ?, 'pending', ?, ?, ?, ?)`,
    )
      .bind(id, `m-${id}`, `${id}.example`, crypto.randomUUID(), expiresAt, Date.now(), Date.now(), network)
      .run();
  }
}

describe("issue 11: pending self-enrollments per source network", () => {
  it("IPv4: a full /24 is refused with 429 and Retry-After; another /24 is not", async () => {
    const [a, b] = [20 + (rnd() % 200), rnd()];
    await fillNetwork(`100.${a}.${b}.0/24`, MAX_PENDING_PER_NETWORK);
    const res = await submit(`100.${a}.${b}.${1 + (rnd() % 250)}`);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await nativeError(res)).code).toBeTruthy();
    expect((await submit(`100.${a}.${(b + 1) % 256}.9`)).status).toBe(202);
  });

  it("IPv4: one below the cap is accepted, and that request is counted", async () => {
    const [a, b] = [20 + (rnd() % 200), rnd()];
    await fillNetwork(`100.${a}.${b}.0/24`, MAX_PENDING_PER_NETWORK - 1);
    expect((await submit(`100.${a}.${b}.1`)).status).toBe(202);
    expect((await submit(`100.${a}.${b}.2`)).status).toBe(429);
  });

  it("expired pending requests do not count", async () => {
    const [a, b] = [20 + (rnd() % 200), rnd()];
    await fillNetwork(`100.${a}.${b}.0/24`, MAX_PENDING_PER_NETWORK, Date.now() - 1000);
    expect((await submit(`100.${a}.${b}.3`)).status).toBe(202);
  });

  it("IPv6: the whole /64 shares the cap", async () => {
    const [g3, g4] = [(0x1000 + rnd() * 16 + rnd()).toString(16), (0x1000 + rnd()).toString(16)];
    const net = `2001:db8:${g3}:${g4}`;
    await fillNetwork(`${net}::/64`, MAX_PENDING_PER_NETWORK);
    expect((await submit(`${net}::abcd`)).status).toBe(429);
  });
});
