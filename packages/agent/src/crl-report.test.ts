import { webcrypto } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CrlHolder } from "./crl-holder";
import { crlReportOf } from "./crl-report";
import { createLogger } from "./log";
import { x509 } from "./x509";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

async function ca(cn: string) {
  const keys = await webcrypto.subtle.generateKey(ALG, false, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${cn}`,
    keys,
    signingAlgorithm: ALG,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
  });
  return { keys, cert, pem: cert.toString("pem") };
}

/** A DER INTEGER extension value (non-negative, small). */
const derInteger = (n: number) => {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if (bytes.length === 0 || (bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return new Uint8Array([0x02, bytes.length, ...bytes]);
};

/** Whole seconds: X.509 times carry no milliseconds. */
const THIS_UPDATE = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);

async function crl(signer: Awaited<ReturnType<typeof ca>>, opts: { number?: number; nextUpdate: Date }) {
  const built = await x509.X509CrlGenerator.create({
    issuer: signer.cert.subject,
    thisUpdate: THIS_UPDATE,
    nextUpdate: opts.nextUpdate,
    entries: [],
    signingAlgorithm: ALG,
    signingKey: signer.keys.privateKey,
    extensions: opts.number === undefined ? [] : [new x509.Extension("2.5.29.20", false, derInteger(opts.number))],
  });
  return built.toString("pem");
}

describe("crlReportOf", () => {
  it("reports a CRL signed by a trusted CA with its number, issuer and nextUpdate", async () => {
    const root = await ca("Fleetgate Test CA");
    const next = new Date(Math.floor(Date.now() / 1000) * 1000 + 7 * 86_400_000);
    const report = await crlReportOf(await crl(root, { number: 1_765_000_000, nextUpdate: next }), root.pem);
    expect(report).toEqual({
      crl_number: "1765000000",
      issuer: "CN=Fleetgate Test CA",
      next_update: next.getTime(),
      this_update: THIS_UPDATE.getTime(),
    });
  });

  it("reports an expired CRL as held: the server judges expiry from next_update", async () => {
    const root = await ca("Fleetgate Test CA");
    const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000);
    const report = await crlReportOf(await crl(root, { number: 7, nextUpdate: past }), root.pem);
    expect(report).toMatchObject({ crl_number: "7", next_update: past.getTime() });
  });

  it("says missing without a CRL, invalid for garbage, no number or another CA's signature", async () => {
    const root = await ca("Fleetgate Test CA");
    const other = await ca("Fleetgate Test CA");
    const next = new Date(Date.now() + 86_400_000);
    expect(await crlReportOf(null, root.pem)).toEqual({ error: "missing" });
    expect(await crlReportOf("", root.pem)).toEqual({ error: "missing" });
    const garbage = "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
    expect(await crlReportOf(garbage, root.pem)).toMatchObject({ error: "invalid" });
    expect(await crlReportOf(await crl(root, { nextUpdate: next }), root.pem)).toMatchObject({
      error: "invalid",
      detail: "the CRL has no CRL number",
    });
    // Same issuer name, different key: the signature does not verify.
    expect(await crlReportOf(await crl(other, { number: 3, nextUpdate: next }), root.pem)).toMatchObject({
      error: "invalid",
      detail: "the CRL is not signed by a trusted CA",
    });
    expect(await crlReportOf(await crl(root, { number: 3, nextUpdate: next }), "")).toMatchObject({
      error: "invalid",
    });
  });
});

describe("CrlHolder", () => {
  it("stores a downloaded CRL only when it verifies, and reports a change once", async () => {
    const root = await ca("Fleetgate Test CA");
    const other = await ca("Fleetgate Test CA");
    const next = new Date(Date.now() + 86_400_000);
    let body = await crl(root, { number: 5, nextUpdate: next });
    const server = createServer((req, res) => {
      if (req.url !== "/api/v1/pki/crl.pem") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/x-pem-file" }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const dir = await mkdtemp(path.join(tmpdir(), "crl-holder-"));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const holder = new CrlHolder(url, dir, createLogger({ write: () => {} }));
      expect(await holder.report(root.pem)).toEqual({ error: "missing" });
      expect(await holder.refresh(root.pem)).toMatchObject({ crl_number: "5" });
      expect(await readFile(path.join(dir, "crl.pem"), "utf8")).toBe(body);
      expect(await holder.refresh(root.pem)).toBeNull();
      // A CRL another key signed is never stored: the held one stays and nothing changed.
      body = await crl(other, { number: 9, nextUpdate: next });
      expect(await holder.refresh(root.pem)).toBeNull();
      expect(await holder.report(root.pem)).toMatchObject({ crl_number: "5" });
    } finally {
      server.close();
    }
  });
});
