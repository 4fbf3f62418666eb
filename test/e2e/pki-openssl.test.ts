import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { adminAccess } from "./admin-login";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
const base = () => inject("baseUrl");
const dir = mkdtempSync(path.join(tmpdir(), "fleetgate-pki-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ssl = (args: string[]) => execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const sslStatus = (args: string[]) => spawnSync("openssl", args, { encoding: "utf8" });
const file = (name: string, content?: string) => {
  const p = path.join(dir, name);
  if (content !== undefined) writeFileSync(p, content);
  return p;
};

const adminToken = () => adminAccess(base());

describe.skipIf(!hasOpenssl)("PKI with real OpenSSL artefacts over HTTP", () => {
  const state: { identityId?: string; serial?: string; token?: string } = {};

  for (const [label, keyArgs] of [
    ["EC P-256", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]],
    ["EC P-384", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]],
    ["RSA-2048", ["-newkey", "rsa:2048"]],
  ] as const) {
    it(`enrolls with an OpenSSL ${label} CSR and the certificate verifies against the served chain`, async () => {
      state.token ??= await adminToken();
      const name = `ossl-${label.replace(/\W/g, "").toLowerCase()}-${Date.now()}`;
      const created = await fetch(`${base()}/api/v1/enrollments`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${state.token}` },
        body: JSON.stringify({ name, kind: "host", method: "ott" }),
      });
      expect(created.status).toBe(201);
      const e = (await created.json()) as { identity_id: string; jwt: string };
      const slug = name;
      ssl([
        "req",
        "-new",
        ...keyArgs,
        "-nodes",
        "-keyout",
        file(`${slug}.key`),
        "-out",
        file(`${slug}.csr`),
        "-subj",
        `/CN=${e.identity_id}`,
      ]);
      const res = await fetch(`${base()}/edge/client/v1/enroll/ott`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: e.jwt, clientCsr: readFileSync(file(`${slug}.csr`), "utf8") }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { cert: string } };
      const leaf = body.data.cert.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? "";
      file(`${slug}.crt`, `${leaf}\n`);
      const chain = await (await fetch(`${base()}/api/v1/ca/root.crt`)).text();
      const [issuing, root] = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      file("issuing.pem", `${issuing}\n`);
      file("root.pem", `${root}\n`);
      const out = ssl([
        "verify",
        "-x509_strict",
        "-purpose",
        "sslclient",
        "-CAfile",
        file("root.pem"),
        "-untrusted",
        file("issuing.pem"),
        file(`${slug}.crt`),
      ]);
      expect(out.trim()).toBe(`${file(`${slug}.crt`)}: OK`);
      const text = ssl(["x509", "-in", file(`${slug}.crt`), "-noout", "-text"]);
      expect(text).toContain(`URI:spiffe://fleetgate.local/identity/${e.identity_id}`);
      expect(text).toContain("TLS Web Client Authentication");
      if (label === "EC P-256") {
        state.identityId = e.identity_id;
        state.serial = ssl(["x509", "-in", file(`${slug}.crt`), "-noout", "-serial"])
          .trim()
          .replace("serial=", "")
          .toUpperCase();
        file("leaf.crt", `${leaf}\n`);
      }
    });
  }

  it("an OpenSSL RSA-1024 CSR is refused with COULD_NOT_PROCESS_CSR", async () => {
    state.token ??= await adminToken();
    const created = await fetch(`${base()}/api/v1/enrollments`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${state.token}` },
      body: JSON.stringify({ name: `ossl-rsa1024-${Date.now()}`, kind: "host", method: "ott" }),
    });
    const e = (await created.json()) as { identity_id: string; jwt: string };
    ssl([
      "req",
      "-new",
      "-newkey",
      "rsa:1024",
      "-nodes",
      "-keyout",
      file("weak.key"),
      "-out",
      file("weak.csr"),
      "-subj",
      `/CN=${e.identity_id}`,
    ]);
    const res = await fetch(`${base()}/edge/client/v1/enroll/ott`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: e.jwt, clientCsr: readFileSync(file("weak.csr"), "utf8") }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("COULD_NOT_PROCESS_CSR");
  });

  it("/.well-known/est/cacerts parses with openssl pkcs7 -print_certs", async () => {
    const body = await (await fetch(`${base()}/.well-known/est/cacerts`)).text();
    writeFileSync(file("cacerts.p7"), Buffer.from(body, "base64"));
    const out = ssl(["pkcs7", "-inform", "DER", "-in", file("cacerts.p7"), "-print_certs", "-noout"]);
    expect(out).toContain("subject=CN = Fleetgate Issuing CA 1");
    expect(out).toContain("subject=CN = Fleetgate Root CA");
  });

  it("a revoked serial appears in the CRL (openssl crl) and openssl verify -crl_check refuses it", async () => {
    state.token ??= await adminToken();
    const list = (await (
      await fetch(`${base()}/api/v1/certificates?host_id=${state.identityId}`, {
        headers: { authorization: `Bearer ${state.token}` },
      })
    ).json()) as { id: string }[];
    const del = await fetch(`${base()}/api/v1/certificates/${list[0]?.id}?reason=keyCompromise`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${state.token}` },
    });
    expect(del.status).toBe(200);
    file("crl.pem", await (await fetch(`${base()}/api/v1/pki/crl.pem`)).text());
    const crl = ssl(["crl", "-in", file("crl.pem"), "-noout", "-text"]);
    expect(crl).toContain(`Serial Number: ${state.serial}`);
    expect(crl).toContain("Key Compromise");
    expect(
      ssl(["crl", "-in", file("crl.pem"), "-noout", "-CAfile", file("issuing.pem"), "-verify"]).length,
    ).toBeGreaterThanOrEqual(0);
    const verify = sslStatus([
      "verify",
      "-crl_check",
      "-CAfile",
      file("root.pem"),
      "-untrusted",
      file("issuing.pem"),
      "-CRLfile",
      file("crl.pem"),
      file("leaf.crt"),
    ]);
    expect(`${verify.stdout}${verify.stderr}`).toContain("certificate revoked");
  });
});
