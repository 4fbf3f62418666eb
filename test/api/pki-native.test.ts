import { env } from "cloudflare:workers";
import { estCacertsBody } from "@fleetgate/pki";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";
import { createEnrollment, enrollOtt, keyPair, webCryptoCsr, x509 } from "./pki-helpers";

const rand256 = () => Math.floor(Math.random() * 256);

const enrollBody = async (over: Record<string, unknown> = {}) => {
  const name = `agent-${crypto.randomUUID().slice(0, 8)}`;
  const keys = await keyPair();
  return {
    name,
    keys,
    body: {
      machine_id: crypto.randomUUID().replace(/-/g, ""),
      fqdn: `${name}.example.test`,
      ip_address: `10.${rand256()}.${rand256()}.${rand256()}`,
      os_details: { os: "linux", name: "Debian GNU/Linux", version: "12", architecture: "x86_64" },
      hostname: name,
      csr: await webCryptoCsr(`CN=${name}`, keys),
      ...over,
    },
  };
};

async function submit(body: Record<string, unknown>) {
  const res = await call("/api/v1/enroll", { method: "POST", json: body });
  return res;
}

async function pendingId(machineId: string) {
  const admin = await adminLogin();
  const list = (await (await call("/api/v1/admin/enrollments?limit=200", { headers: bearer(admin) })).json()) as {
    id: string;
    machine_id: string;
  }[];
  return list.find((e) => e.machine_id === machineId)?.id ?? "";
}

describe("self-enrollment: refusals", () => {
  it("a malformed polling token → 200 notfound (the reference always answers 200)", async () => {
    for (const t of ["abc", "a".repeat(65), "%20".repeat(64), `${"a".repeat(63)}-`]) {
      const res = await call(`/api/v1/enroll/status/${t}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "notfound" });
    }
  });

  it("an unknown (well-formed) token → notfound", async () => {
    const res = await call(`/api/v1/enroll/status/${"a".repeat(64)}`);
    expect(await res.json()).toEqual({ status: "notfound" });
  });

  it("a CSR for another name → 400, nothing filed", async () => {
    const e = await enrollBody({ csr: await webCryptoCsr("CN=someone-else") });
    const res = await submit(e.body);
    expect(res.status).toBe(400);
    expect(await pendingId(e.body.machine_id)).toBe("");
  });

  it("a bad IP address → 400", async () => {
    const e = await enrollBody({ ip_address: "999.1.1.1" });
    expect((await submit(e.body)).status).toBe(400);
  });

  it("is rate-limited per client IP (429 with Retry-After)", async () => {
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      const e = await enrollBody();
      last = await call("/api/v1/enroll", {
        method: "POST",
        json: e.body,
        headers: { "cf-connecting-ip": "198.51.100.77" },
      });
    }
    expect(last?.status).toBe(429);
    expect(last?.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});

describe("self-enrollment: approval flow", () => {
  it("pending → approved bundle (certificates only with a CSR), fetched once, then notfound", async () => {
    const e = await enrollBody();
    const res = await submit(e.body);
    expect(res.status).toBe(202);
    const { polling_token } = (await res.json()) as { polling_token: string };
    expect(polling_token).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(await (await call(`/api/v1/enroll/status/${polling_token}`)).json()).toEqual({ status: "pending" });

    const admin = await adminLogin();
    const id = await pendingId(e.body.machine_id);
    const list = (await (
      await call("/api/v1/admin/enrollments?limit=200", { headers: bearer(admin) })
    ).json()) as Record<string, unknown>[];
    const entry = list.find((x) => x.id === id);
    expect(entry?.polling_token).not.toBe(polling_token);
    const ok = await call(`/api/v1/admin/enrollments/${id}/approve`, { method: "POST", headers: bearer(admin) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("");

    const first = (await (await call(`/api/v1/enroll/status/${polling_token}`)).json()) as Record<string, string>;
    expect(first.status).toBe("approved");
    // repo_config is there too once the package repository has a key (test/api/package-repo.isolated.test.ts).
    const { repo_config: _repo, ...certs } = first;
    expect(Object.keys(certs).sort()).toEqual(["ca_chain", "ca_crt", "client_crt", "crl_pem", "status"]);
    expect(first.server_key).toBeUndefined();
    const leaf = new x509.X509Certificate(first.client_crt ?? "");
    expect(leaf.subject).toBe(`CN=${e.name}`);
    const spki = (await crypto.subtle.exportKey("spki", e.keys.publicKey)) as ArrayBuffer;
    expect(new Uint8Array(leaf.publicKey.rawData)).toEqual(new Uint8Array(spki));
    expect(await (await call(`/api/v1/enroll/status/${polling_token}`)).json()).toEqual({ status: "notfound" });

    const host = await env.DB.prepare("SELECT name, fqdn FROM hosts WHERE id = ?")
      .bind(id)
      .first<{ name: string; fqdn: string }>();
    expect(host).toEqual({ name: e.name, fqdn: e.body.fqdn });
  });

  it("without a CSR (older agents) the server makes the key: server_crt + server_key", async () => {
    const e = await enrollBody();
    const { csr: _csr, ...noCsr } = e.body;
    const { polling_token } = (await (await submit(noCsr)).json()) as { polling_token: string };
    const admin = await adminLogin();
    await call(`/api/v1/admin/enrollments/${await pendingId(e.body.machine_id)}/approve`, {
      method: "POST",
      headers: bearer(admin),
    });
    const b = (await (await call(`/api/v1/enroll/status/${polling_token}`)).json()) as Record<string, string>;
    expect(b.server_crt).toContain("BEGIN CERTIFICATE");
    expect(b.server_key).toContain("BEGIN PRIVATE KEY");
  });

  it("deny → denied; approving an unknown id → bare 404", async () => {
    const e = await enrollBody();
    const { polling_token } = (await (await submit(e.body)).json()) as { polling_token: string };
    const admin = await adminLogin();
    const res = await call(`/api/v1/admin/enrollments/${await pendingId(e.body.machine_id)}/deny`, {
      method: "DELETE",
      headers: bearer(admin),
    });
    expect(res.status).toBe(200);
    expect(await (await call(`/api/v1/enroll/status/${polling_token}`)).json()).toEqual({ status: "denied" });
    const unknown = await call(`/api/v1/admin/enrollments/${crypto.randomUUID()}/approve`, {
      method: "POST",
      headers: bearer(admin),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("");
  });

  it("fqdn collision on approve → 409 with the reference's body", async () => {
    const a = await enrollBody();
    await submit(a.body);
    const admin = await adminLogin();
    await call(`/api/v1/admin/enrollments/${await pendingId(a.body.machine_id)}/approve`, {
      method: "POST",
      headers: bearer(admin),
    });
    const b = await enrollBody({ fqdn: a.body.fqdn });
    const { csr: _c, ...bNoCsr } = b.body;
    await submit(bNoCsr);
    const res = await call(`/api/v1/admin/enrollments/${await pendingId(b.body.machine_id)}/approve`, {
      method: "POST",
      headers: bearer(admin),
    });
    expect(res.status).toBe(409);
    const body = (await res.json()) as {
      error: string;
      conflict: { message: string; existing_host: { fqdn: string } };
    };
    expect(body.error).toBe("Host collision detected");
    expect(body.conflict.message).toBe("FQDN or IP already exists");
    expect(body.conflict.existing_host.fqdn).toBe(a.body.fqdn);
  });

  it("an expired request reads as notfound", async () => {
    const e = await enrollBody();
    const { polling_token } = (await (await submit(e.body)).json()) as { polling_token: string };
    await env.DB.prepare("UPDATE enrollment_requests SET expires_at = ? WHERE machine_id = ?")
      .bind(Date.now() - 1, e.body.machine_id)
      .run();
    expect(await (await call(`/api/v1/enroll/status/${polling_token}`)).json()).toEqual({ status: "notfound" });
  });
});

describe("CA chain, CRL, EST", () => {
  it("GET /api/v1/ca/root.crt: PEM chain as attachment ca.crt", async () => {
    const res = await call("/api/v1/ca/root.crt");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-pem-file");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="ca.crt"');
    expect((await res.text()).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it("GET /.well-known/est/cacerts on both paths: base64 PKCS#7, 64-column lines, no trailing newline", async () => {
    const chain = await (await call("/api/v1/ca/root.crt")).text();
    const pems = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    for (const path of ["/.well-known/est/cacerts", "/edge/client/v1/.well-known/est/cacerts"]) {
      const res = await call(path);
      expect(res.headers.get("content-type")).toBe("application/pkcs7-mime");
      expect(res.headers.get("content-transfer-encoding")).toBe("base64");
      const text = await res.text();
      expect(text.endsWith("\n")).toBe(false);
      expect(text.split("\n").every((l) => l.length <= 64)).toBe(true);
      expect(text).toBe(estCacertsBody(pems));
    }
  });

  it("revocation: the certificate stops authenticating, its serial is in the CRL with the reason", async () => {
    const e = await createEnrollment();
    const { res } = await enrollOtt(e);
    const leaf = new x509.X509Certificate(((await res.json()) as { data: { cert: string } }).data.cert);
    const admin = await adminLogin();
    const list = (await (
      await call(`/api/v1/certificates?host_id=${e.identity_id}`, { headers: bearer(admin) })
    ).json()) as {
      id: string;
      serial_number: string;
      status: string;
    }[];
    expect(list).toHaveLength(1);
    expect(list[0]?.status).toBe("active");
    expect(list[0]?.serial_number).toBe(leaf.serialNumber.toLowerCase());
    const rev = await call(`/api/v1/certificates/${list[0]?.id}?reason=keyCompromise`, {
      method: "DELETE",
      headers: bearer(admin),
    });
    expect(rev.status).toBe(200);
    const crl = new x509.X509Crl(await (await call("/api/v1/pki/crl.pem")).text());
    const entry = crl.entries.find((x) => x.serialNumber.toLowerCase() === leaf.serialNumber.toLowerCase());
    expect(entry?.reason).toBe(1);
    const after = (await (
      await call(`/api/v1/certificates?host_id=${e.identity_id}&status=revoked`, { headers: bearer(admin) })
    ).json()) as unknown[];
    expect(after).toHaveLength(1);
  });

  it("reporters may list certificates but not revoke", async () => {
    const r = await userWithRole("reporter");
    expect((await call("/api/v1/certificates", { headers: bearer(r.session) })).status).toBe(200);
    const res = await call(`/api/v1/certificates/${crypto.randomUUID()}`, {
      method: "DELETE",
      headers: bearer(r.session),
    });
    expect(res.status).toBe(403);
  });
});

describe("host certificates (server-made keys, Linux Patch Manager shapes)", () => {
  it("issue → IssuedCert; reissue revokes the previous ones; client.crt serves the latest", async () => {
    const e = await createEnrollment();
    await enrollOtt(e);
    const admin = await adminLogin();
    const res = await call(`/api/v1/hosts/${e.identity_id}/certificates`, {
      method: "POST",
      headers: bearer(admin),
      json: { hostname: e.name },
    });
    expect(res.status).toBe(200);
    const issued = (await res.json()) as Record<string, string>;
    expect(Object.keys(issued).sort()).toEqual(
      [
        "ca_root_pem",
        "cert_pem",
        "expires_at",
        "key_pem",
        "server_cert_pem",
        "server_key_pem",
        "server_serial_number",
        "serial_number",
      ].sort(),
    );
    const reissue = await call(`/api/v1/hosts/${e.identity_id}/certificates/reissue`, {
      method: "POST",
      headers: bearer(admin),
    });
    const fresh = (await reissue.json()) as Record<string, string>;
    const all = (await (
      await call(`/api/v1/certificates?host_id=${e.identity_id}`, { headers: bearer(admin) })
    ).json()) as {
      serial_number: string;
      status: string;
    }[];
    expect(
      all
        .filter((c) => c.status === "active")
        .map((c) => c.serial_number)
        .sort(),
    ).toEqual([fresh.serial_number, fresh.server_serial_number].sort());
    const crt = await call(`/api/v1/hosts/${e.identity_id}/client.crt`, { headers: bearer(admin) });
    expect(crt.status).toBe(200);
    expect(await crt.text()).toContain("BEGIN CERTIFICATE");
  });

  it("client.crt of a host without certificates → 404 with the reference's message", async () => {
    const e = await createEnrollment();
    const admin = await adminLogin();
    const res = await call(`/api/v1/hosts/${e.identity_id}/client.crt`, { headers: bearer(admin) });
    expect(res.status).toBe(404);
    expect((await nativeError(res)).message).toBe("No active certificate found for this host");
  });
});
