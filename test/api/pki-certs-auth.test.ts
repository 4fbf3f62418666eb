import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";
import { agentProof, enrolledHost, keyPair, thumbprints, webCryptoCsr, x509 } from "./pki-helpers";

const RENEW = "http://127.0.0.1/agent/v1/renew";

function certAuth(cf: Record<string, unknown> | undefined) {
  const req = new Request("http://127.0.0.1/edge/client/v1/authenticate?method=cert", {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.9" },
    body: "{}",
    cf: cf ? { tlsClientAuth: cf } : undefined,
  } as RequestInit);
  return exports.default.fetch(req);
}

describe("Ziti ?method=cert through Cloudflare mTLS (request.cf.tlsClientAuth)", () => {
  it("no certificate → 401 INVALID_AUTH", async () => {
    const res = await certAuth(undefined);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INVALID_AUTH");
  });

  it("an unverified certificate → 401", async () => {
    const h = await enrolledHost();
    const { hex } = await thumbprints(h.certPem);
    const res = await certAuth({
      certPresented: "1",
      certVerified: "FAILED:self signed certificate",
      certFingerprintSHA256: hex,
    });
    expect(res.status).toBe(401);
  });

  it("a verified certificate of ours → an API session for its identity; revoked → 401 on the next attempt", async () => {
    const h = await enrolledHost();
    const { hex } = await thumbprints(h.certPem);
    const ok = await certAuth({ certPresented: "1", certVerified: "SUCCESS", certFingerprintSHA256: hex });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { data: { identityId: string; token: string } };
    expect(body.data.identityId).toBe(h.identity_id);
    const admin = await adminLogin();
    const list = (await (
      await call(`/api/v1/certificates?host_id=${h.identity_id}`, { headers: bearer(admin) })
    ).json()) as { id: string }[];
    await call(`/api/v1/certificates/${list[0]?.id}`, { method: "DELETE", headers: bearer(admin) });
    const again = await certAuth({ certPresented: "1", certVerified: "SUCCESS", certFingerprintSHA256: hex });
    expect(again.status).toBe(401);
  });
});

describe("ziti-authenticator-extend-requested", () => {
  it("absent for a fresh certificate; `true` once the certificate is past half its lifetime", async () => {
    const h = await enrolledHost();
    const { hex } = await thumbprints(h.certPem);
    const tls = { certPresented: "1", certVerified: "SUCCESS", certFingerprintSHA256: hex };
    const fresh = await certAuth(tls);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("ziti-authenticator-extend-requested")).toBeNull();
    // Age the stored certificate (same lifetime, three quarters of it spent).
    const leaf = new x509.X509Certificate(h.certPem);
    const lifetime = leaf.notAfter.getTime() - leaf.notBefore.getTime();
    const now = Date.now();
    await env.DB.prepare("UPDATE certificates SET not_before = ?, not_after = ? WHERE fingerprint_sha256 = ?")
      .bind(Math.round(now - 0.75 * lifetime), Math.round(now + 0.25 * lifetime), hex.toLowerCase())
      .run();
    const aged = await certAuth(tls);
    expect(aged.status).toBe(200);
    expect(aged.headers.get("ziti-authenticator-extend-requested")).toBe("true");
  });
});

describe("ephemeral API-session certificates and authenticator extend", () => {
  async function certSession() {
    const h = await enrolledHost();
    const { hex } = await thumbprints(h.certPem);
    const res = await certAuth({ certPresented: "1", certVerified: "SUCCESS", certFingerprintSHA256: hex });
    const token = ((await res.json()) as { data: { token: string } }).data.token;
    return { ...h, token, zt: { "zt-session": token } };
  }

  it("POST/GET/DELETE /current-api-session/certificates", async () => {
    const s = await certSession();
    const csr = await webCryptoCsr(`CN=${s.identity_id}`);
    const created = await call("/edge/client/v1/current-api-session/certificates", {
      method: "POST",
      headers: s.zt,
      json: { csr },
    });
    expect(created.status).toBe(201);
    const c = (await created.json()) as { data: { id: string; certificate: string; cas: string } };
    const leaf = new x509.X509Certificate(c.data.certificate);
    expect((leaf.notAfter.getTime() - leaf.notBefore.getTime()) / 3600_000).toBeCloseTo(12, 0);
    const list = (await (await call("/edge/client/v1/current-api-session/certificates", { headers: s.zt })).json()) as {
      data: unknown[];
      meta: { pagination: { totalCount: number } };
    };
    expect(list.meta.pagination.totalCount).toBe(1);
    // ZitiQL on the list: by subject, by validity, and an unknown field → INVALID_FILTER.
    const q = async (filter: string) =>
      call(`/edge/client/v1/current-api-session/certificates?filter=${encodeURIComponent(filter)}`, {
        headers: s.zt,
      });
    const hit = (await (
      await q(`subject contains "${s.identity_id}" and validTo > datetime(2000-01-01T00:00:00Z)`)
    ).json()) as {
      data: { id: string }[];
    };
    expect(hit.data.map((x) => x.id)).toEqual([c.data.id]);
    const miss = (await (await q('subject = "CN=nobody"')).json()) as { data: unknown[] };
    expect(miss.data).toEqual([]);
    const bad = await q('nosuchfield = "x"');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("INVALID_FILTER");
    const del = await call(`/edge/client/v1/current-api-session/certificates/${c.data.id}`, {
      method: "DELETE",
      headers: s.zt,
    });
    expect(del.status).toBe(200);
    const gone = await call(`/edge/client/v1/current-api-session/certificates/${c.data.id}`, { headers: s.zt });
    expect((await gone.json()) as { data: { validTo: string } }).toBeTruthy();
  });

  it("a CSR for another name → 400 COULD_NOT_PROCESS_CSR", async () => {
    const s = await certSession();
    const res = await call("/edge/client/v1/current-api-session/certificates", {
      method: "POST",
      headers: s.zt,
      json: { csr: await webCryptoCsr("CN=somebody-else") },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("COULD_NOT_PROCESS_CSR");
  });

  it("extend → extend-verify: the authenticator moves to the new certificate, the old one is revoked", async () => {
    const s = await certSession();
    const auths = (await (await call("/edge/client/v1/current-identity/authenticators", { headers: s.zt })).json()) as {
      data: { id: string; method: string }[];
    };
    const certAuthn = auths.data.find((a) => a.method === "cert");
    expect(certAuthn).toBeTruthy();
    const keys = await keyPair();
    const ext = await call(`/edge/client/v1/current-identity/authenticators/${certAuthn?.id}/extend`, {
      method: "POST",
      headers: s.zt,
      json: { clientCertCsr: await webCryptoCsr(`CN=${s.identity_id}`, keys) },
    });
    expect(ext.status).toBe(200);
    const { data } = (await ext.json()) as { data: { clientCert: string; ca: string } };
    const bad = await call(`/edge/client/v1/current-identity/authenticators/${certAuthn?.id}/extend-verify`, {
      method: "POST",
      headers: s.zt,
      json: { clientCert: s.certPem },
    });
    expect(bad.status).toBe(400);
    const ok = await call(`/edge/client/v1/current-identity/authenticators/${certAuthn?.id}/extend-verify`, {
      method: "POST",
      headers: s.zt,
      json: { clientCert: data.clientCert },
    });
    expect(ok.status).toBe(200);
    const oldFp = (await thumbprints(s.certPem)).hex;
    const newFp = (await thumbprints(data.clientCert)).hex;
    expect((await certAuth({ certPresented: "1", certVerified: "SUCCESS", certFingerprintSHA256: oldFp })).status).toBe(
      401,
    );
    expect((await certAuth({ certPresented: "1", certVerified: "SUCCESS", certFingerprintSHA256: newFp })).status).toBe(
      200,
    );
  });
});

describe("agent renewal: POST /agent/v1/renew with a certificate-bound proof", () => {
  // Renewal is refused before half the lifetime (security/renew-policy.test.ts): enroll, then move past it.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const halfLifeLater = () => vi.setSystemTime(Date.now() + 16 * 86_400_000);
  const renew = (proof: string | undefined, csr: string) =>
    call("/agent/v1/renew", {
      method: "POST",
      headers: proof ? { authorization: `Bearer ${proof}` } : {},
      json: { csr },
    });

  it("refuses: no proof, wrong audience, lifetime > 60 s, replayed jti, foreign key", async () => {
    const h = await enrolledHost();
    const other = await enrolledHost();
    const other2 = await enrolledHost();
    halfLifeLater();
    const csr = await webCryptoCsr(`CN=${h.identity_id}`);
    expect((await renew(undefined, csr)).status).toBe(401);
    expect((await renew(await agentProof(h, "http://127.0.0.1/agent/v1/connect"), csr)).status).toBe(401);
    expect((await renew(await agentProof(h, RENEW, { lifetime: 600 }), csr)).status).toBe(401);
    const jti = crypto.randomUUID();
    const first = await renew(await agentProof(h, RENEW, { jti }), await webCryptoCsr(`CN=${h.identity_id}`));
    expect(first.status).toBe(200);
    // the first renewal superseded the old certificate, so use the new one to test replay:
    const p = await agentProof(other, RENEW, { jti: crypto.randomUUID() });
    expect((await renew(p, await webCryptoCsr(`CN=${other.identity_id}`))).status).toBe(200);
    const replayJti = crypto.randomUUID();
    const proof = await agentProof(other2, RENEW, { jti: replayJti });
    const bodyCsr = await webCryptoCsr(`CN=${other2.identity_id}`);
    await renew(proof, bodyCsr);
    expect((await renew(proof, bodyCsr)).status).toBe(401);
    const stranger = { certPem: h.certPem, keys: await keyPair() };
    expect((await renew(await agentProof(stranger, RENEW), csr)).status).toBe(401);
  });

  it("renews with a new key; the old certificate is superseded (revoked) and stops authenticating", async () => {
    const h = await enrolledHost();
    halfLifeLater();
    const keys = await keyPair();
    const res = await renew(await agentProof(h, RENEW), await webCryptoCsr(`CN=${h.identity_id}`, keys));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cert: string; ca: string };
    const leaf = new x509.X509Certificate(body.cert);
    expect(leaf.subject).toBe(`CN=${h.identity_id}`);
    expect((await renew(await agentProof(h, RENEW), await webCryptoCsr(`CN=${h.identity_id}`))).status).toBe(401);
    const renewed = { certPem: body.cert, keys };
    halfLifeLater();
    expect((await renew(await agentProof(renewed, RENEW), await webCryptoCsr(`CN=${h.identity_id}`))).status).toBe(200);
  });

  it("a CSR for another name → 400, certificate unchanged", async () => {
    const h = await enrolledHost();
    halfLifeLater();
    const res = await renew(await agentProof(h, RENEW), await webCryptoCsr("CN=not-me"));
    expect(res.status).toBe(400);
  });
});
