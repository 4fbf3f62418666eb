import { env } from "cloudflare:workers";
import {
  activeCertificateBySha256,
  createDomainContext,
  DomainError,
  issueHostCertificate,
  renewWithCsr,
  revokeCertificate,
} from "@fleetgate/domain";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { adminLogin, bearer, type Session } from "../auth-helpers";
import { call } from "../helpers";
import { enrolledHost, keyPair, thumbprints, webCryptoCsr, x509 } from "../pki-helpers";
import { zitiCertSession } from "./sec-pki";

// Finding 2 of issue 11: CRLs were signed on every revocation and stored as a
// new row each time (never pruned), mixed every issuer's certificates, and
// numbered by read-then-insert. Now: one row per issuing CA, marked stale by a
// revocation and re-signed off the revocation path (first read or cron sweep),
// session certificates kept out, a cap on a session's certificates.

interface CrlRow {
  issuer_id: string;
  number: number;
  revision: number;
  built_revision: number;
  pem: string;
}

const crlRows = async () => (await env.DB.prepare("SELECT * FROM issuer_crls").all<CrlRow>()).results;
const fetchCrl = async () => {
  const res = await call("/api/v1/pki/crl.pem");
  expect(res.status).toBe(200);
  return new x509.X509Crl(await res.text());
};
const listed = (crl: x509.X509Crl, serial: string) =>
  crl.entries.some((x) => x.serialNumber.toLowerCase() === serial.toLowerCase());

async function hostCertificateId(admin: Session, identityId: string) {
  const list = (await (
    await call(`/api/v1/certificates?host_id=${identityId}`, { headers: bearer(admin) })
  ).json()) as {
    id: string;
    serial_number: string;
  }[];
  const first = list[0];
  if (!first) throw new Error("no certificate");
  return first;
}

describe("CRL: one per issuing CA, re-signed off the revocation path", () => {
  it("the per-number CRL table is gone; every CRL row belongs to one issuer", async () => {
    const old = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'crls'").all();
    expect(old.results).toHaveLength(0);
    await fetchCrl();
    const rows = await crlRows();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(new Set(rows.map((r) => r.issuer_id)).size).toBe(rows.length);
  });

  it("revocations mark the CRL stale without signing or adding rows; the next read lists them all", async () => {
    const admin = await adminLogin();
    await fetchCrl();
    const before = await crlRows();
    const hosts = [await enrolledHost(), await enrolledHost()];
    const certs = [];
    for (const h of hosts) certs.push(await hostCertificateId(admin, h.identity_id));
    for (const c of certs) {
      const res = await call(`/api/v1/certificates/${c.id}?reason=keyCompromise`, {
        method: "DELETE",
        headers: bearer(admin),
      });
      expect(res.status).toBe(200);
    }
    const after = await crlRows();
    expect(after).toHaveLength(before.length);
    const row = after.find((r) => before.some((b) => b.issuer_id === r.issuer_id));
    expect(row).toBeTruthy();
    // stale: revisions counted, not yet built
    expect(row?.revision ?? 0).toBeGreaterThan(row?.built_revision ?? 0);
    const crl = await fetchCrl();
    for (const c of certs) expect(listed(crl, c.serial_number)).toBe(true);
    const rebuilt = (await crlRows()).find((r) => r.issuer_id === row?.issuer_id);
    expect(rebuilt?.number ?? 0).toBeGreaterThan(row?.number ?? 0);
    expect((await crlRows()).length).toBe(before.length);
  });

  it("concurrent reads of a stale CRL give valid CRLs, and the number is never reused", async () => {
    const admin = await adminLogin();
    const h = await enrolledHost();
    const c = await hostCertificateId(admin, h.identity_id);
    await call(`/api/v1/certificates/${c.id}`, { method: "DELETE", headers: bearer(admin) });
    const texts = await Promise.all(Array.from({ length: 6 }, async () => (await call("/api/v1/pki/crl.pem")).text()));
    const byNumber = new Map<string, string>();
    for (const t of texts) {
      const crl = new x509.X509Crl(t);
      const number = crl.extensions.find((e) => e.type === "2.5.29.20");
      expect(number).toBeTruthy();
      const key = Buffer.from(number?.value ?? new ArrayBuffer(0)).toString("hex");
      // one number never names two different CRLs
      const seen = byNumber.get(key);
      if (seen !== undefined) expect(seen).toBe(t);
      byNumber.set(key, t);
    }
    expect(listed(await fetchCrl(), c.serial_number)).toBe(true);
  });
});

describe("session certificates: out of the CRL, capped per API session", () => {
  it("a deleted session certificate stops being listed but never enters the CRL", async () => {
    const s = await zitiCertSession();
    const created = await call("/edge/client/v1/current-api-session/certificates", {
      method: "POST",
      headers: s.zt,
      json: { csr: await webCryptoCsr(`CN=${s.identity_id}`) },
    });
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: { id: string; certificate: string } };
    const serial = new x509.X509Certificate(data.certificate).serialNumber;
    await fetchCrl();
    const before = await crlRows();
    const del = await call(`/edge/client/v1/current-api-session/certificates/${data.id}`, {
      method: "DELETE",
      headers: s.zt,
    });
    expect(del.status).toBe(200);
    const row = await env.DB.prepare("SELECT status FROM certificates WHERE id = ?").bind(data.id).first<{
      status: string;
    }>();
    expect(row?.status).toBe("revoked");
    // not even marked stale by it (other files may revoke concurrently, so compare our serial only)
    expect(listed(await fetchCrl(), serial)).toBe(false);
    expect((await crlRows()).length).toBe(before.length);
  });

  it("at most 8 active certificates per API session; deleting one makes room", async () => {
    const s = await zitiCertSession();
    const create = async () =>
      call("/edge/client/v1/current-api-session/certificates", {
        method: "POST",
        headers: s.zt,
        json: { csr: await webCryptoCsr(`CN=${s.identity_id}`) },
      });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await create();
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { data: { id: string } }).data.id);
    }
    const refused = await create();
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { code: string } };
    expect(body.error.code).toBe("COULD_NOT_VALIDATE");
    await call(`/edge/client/v1/current-api-session/certificates/${ids[0]}`, { method: "DELETE", headers: s.zt });
    expect((await create()).status).toBe(201);
  });
});

describe("renewal is atomic with the revocation of the old certificate", () => {
  // Renewal is refused before half the lifetime (renew-policy.test.ts): the certificates here are fresh.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
  });
  const halfLifeLater = () => vi.setSystemTime(Date.now() + 16 * 86_400_000);
  afterEach(() => {
    vi.useRealTimers();
  });
  // Both requests have passed authentication (the proof names the still-active
  // certificate); the race is between their commits, so it is run on the use case.
  const ctx = () => createDomainContext(env, { requestId: `race-${crypto.randomUUID()}`, issuer: "http://127.0.0.1" });
  const activeOfHost = async (hostId: string | null) =>
    (
      await env.DB.prepare(
        "SELECT count(*) AS n FROM certificates WHERE host_id = ? AND status = 'active' AND kind <> 'session'",
      )
        .bind(hostId ?? "")
        .first<{ n: number }>()
    )?.n;

  it("two concurrent renewals of one certificate → exactly one new certificate, the other a conflict", async () => {
    const h = await enrolledHost();
    halfLifeLater();
    const d = await ctx();
    const current = await activeCertificateBySha256(d, (await thumbprints(h.certPem)).hex);
    if (!current) throw new Error("no active certificate");
    const csr = async () => webCryptoCsr(`CN=${h.identity_id}`, await keyPair());
    const [a, b] = [await csr(), await csr()];
    const results = await Promise.allSettled([
      renewWithCsr(await ctx(), current, a),
      renewWithCsr(await ctx(), current, b),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected");
    expect(refused?.status === "rejected" && refused.reason instanceof DomainError && refused.reason.code).toBe(
      "common.conflict",
    );
    expect(await activeOfHost(current.hostId)).toBe(1);
  });

  it("a renewal of a certificate revoked meanwhile issues nothing", async () => {
    const h = await enrolledHost();
    halfLifeLater();
    const d = await ctx();
    const current = await activeCertificateBySha256(d, (await thumbprints(h.certPem)).hex);
    if (!current) throw new Error("no active certificate");
    await revokeCertificate(d, current.id, "keyCompromise");
    await expect(renewWithCsr(await ctx(), current, await webCryptoCsr(`CN=${h.identity_id}`))).rejects.toThrow(
      DomainError,
    );
    expect(await activeOfHost(current.hostId)).toBe(0);
  });

  it("a reissue racing a renewal leaves only the reissued pair active", async () => {
    const h = await enrolledHost();
    halfLifeLater();
    const d = await ctx();
    const current = await activeCertificateBySha256(d, (await thumbprints(h.certPem)).hex);
    if (!current?.hostId) throw new Error("no active host certificate");
    const results = await Promise.allSettled([
      issueHostCertificate(await ctx(), current.hostId, undefined, true),
      renewWithCsr(await ctx(), current, await webCryptoCsr(`CN=${h.identity_id}`)),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled").length;
    expect(ok).toBeGreaterThanOrEqual(1);
    // never the old one plus two successors: either reissue (2) won, or renew won and reissue superseded it
    expect(await activeOfHost(current.hostId)).toBeLessThanOrEqual(2);
  });
});
