import { randomBytes, webcrypto } from "node:crypto";
import { createServer, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { DiscoveredAddress } from "@fleetgate/contract/agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { x509 } from "../x509";
import { cidrAddresses } from "./cidr-range";
import { runScan } from "./scanner";

const servers: Server[] = [];
let port = 0;
let fingerprint = "";

/** A self-signed certificate like an existing agent's server certificate. */
async function agentCert() {
  const alg = { name: "ECDSA", namedCurve: "P-256" } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString("hex"),
    name: "CN=old-agent.example.test",
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3600_000),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: "old-agent.example.test" }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join("\n")}\n-----END PRIVATE KEY-----\n`;
  fingerprint = Buffer.from(await cert.getThumbprint("SHA-256")).toString("hex");
  return { cert: cert.toString("pem"), key };
}

const listen = (server: Server, host: string, p: number) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(p, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });

beforeAll(async () => {
  const tls = createTlsServer(await agentCert(), (s) => s.end());
  servers.push(tls);
  // Port 0 on 127.0.0.10 picks a free port; the plain listener takes the same port on 127.0.0.11.
  port = await listen(tls, "127.0.0.10", 0);
  const plain = createServer((s) => s.end());
  servers.push(plain);
  await listen(plain, "127.0.0.11", port);
});

afterAll(() => {
  for (const s of servers) s.close();
});

describe("cidrAddresses", () => {
  it("enumerates IPv4 ranges without network and broadcast, /31 and /32 whole, and IPv6", () => {
    expect(cidrAddresses("127.0.0.8/29", 1024)).toEqual([9, 10, 11, 12, 13, 14].map((n) => `127.0.0.${n}`));
    expect(cidrAddresses("10.0.0.4/31", 1024)).toEqual(["10.0.0.4", "10.0.0.5"]);
    expect(cidrAddresses("10.0.0.4", 1024)).toEqual(["10.0.0.4"]);
    expect(cidrAddresses("10.0.0.0/22", 1024)).toHaveLength(1022);
    expect(cidrAddresses("2001:db8::10/126", 1024)).toEqual([
      "2001:db8:0:0:0:0:0:10",
      "2001:db8:0:0:0:0:0:11",
      "2001:db8:0:0:0:0:0:12",
      "2001:db8:0:0:0:0:0:13",
    ]);
  });

  it("refuses ranges over the bound and malformed ranges", () => {
    expect(() => cidrAddresses("10.0.0.0/21", 1024)).toThrow(/larger than 1024/);
    expect(() => cidrAddresses("2001:db8::/100", 1024)).toThrow(/larger than 1024/);
    for (const bad of ["10.0.0.1/22", "10.0.0.0/33", "nope/24", "10.0.0.0/2/4", "10.0.0.0/ 8"]) {
      expect(() => cidrAddresses(bad, 1024), bad).toThrow(/Invalid CIDR range/);
    }
  });
});

describe("runScan (loopback only)", () => {
  it("reports the addresses that answered, with the TLS identity of an existing agent, and the count probed", async () => {
    const batches: DiscoveredAddress[][] = [];
    let done: { probed: number; error: string | null } | undefined;
    await runScan(
      { type: "discover", scan_id: "s1", cidr: "127.0.0.8/29", agent_port: port, concurrency: 4, timeout_ms: 2000 },
      {
        results: async (b) => {
          batches.push(b);
        },
        done: async (probed, error) => {
          done = { probed, error };
        },
      },
      50,
    );
    expect(done).toEqual({ probed: 6, error: null });
    const found = batches.flat().sort((a, b) => a.ip_address.localeCompare(b.ip_address));
    // Port 22 may have a real SSH server on loopback; only the agent port is ours.
    const agentPort = found.filter((r) => r.agent_port_open);
    expect(agentPort.map((r) => r.ip_address)).toEqual(["127.0.0.10", "127.0.0.11"]);
    expect(agentPort[0]?.identity).toEqual({
      common_name: "old-agent.example.test",
      dns_names: ["old-agent.example.test"],
      fingerprint_sha256: fingerprint,
    });
    expect(agentPort[1]?.identity).toBeNull();
    for (const r of found) expect(["127.0.0.10", "127.0.0.11"].includes(r.ip_address) || r.ssh_open).toBe(true);
  });

  it("refuses a range over the bound without probing", async () => {
    let done: { probed: number; error: string | null } | undefined;
    await runScan(
      { type: "discover", scan_id: "s2", cidr: "127.0.0.0/21", agent_port: port, concurrency: 4, timeout_ms: 500 },
      {
        results: async () => {},
        done: async (probed, error) => {
          done = { probed, error };
        },
      },
    );
    expect(done).toEqual({ probed: 0, error: "refused: range larger than 1024 addresses" });
  });
});
