import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "../auth-helpers";
import { call, nativeError } from "../helpers";

// Issue 11: GET /certificates and GET /admin/enrollments returned every row in one response.
// Now both page with limit (default 50, clamped to 200) and offset, like the other native lists;
// the body stays the reference's plain array.

const FAR = Date.now() + 10 * 365 * 86_400_000;

async function seedCertificates(hostId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = crypto.randomUUID();
    const uniq = crypto.randomUUID().replaceAll("-", "");
    await env.DB.prepare(
      `INSERT INTO certificates (id, serial, host_id, kind, common_name, subject, fingerprint_sha1, fingerprint_sha256,
        cert_pem, not_before, not_after, status, created_at)
       VALUES (?, ?, ?, 'client', ?, ?, ?, ?, 'x', ?, ?, 'active', ?)`,
    )
      .bind(id, uniq, hostId, hostId, `CN=${hostId}`, uniq.slice(0, 40), uniq + uniq, 0, FAR, 1_000 + i)
      .run();
    ids.push(id);
  }
  return ids.reverse(); // newest (largest created_at) first
}

async function seedPending(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = crypto.randomUUID();
    // created_at far ahead so these are the newest pending rows whatever else the shared fleet holds.
    await env.DB.prepare(
      `INSERT INTO enrollment_requests (id, machine_id, fqdn, ip_address, polling_token_hash, status, expires_at,
        created_at, updated_at) VALUES (?, ?, ?, '192.0.2.1', ?, 'pending', ?, ?, ?)`,
    )
      .bind(id, `m-${id}`, `${id}.example`, crypto.randomUUID(), FAR + 1_000, FAR + i, FAR + i)
      .run();
    ids.push(id);
  }
  return ids.reverse();
}

const ids = async (res: Response) => {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { id: string }[];
  expect(Array.isArray(body)).toBe(true);
  return body.map((x) => x.id);
};

describe("issue 11: paged certificate and pending-enrollment lists", () => {
  it("GET /certificates pages with limit/offset, newest first, without overlap", async () => {
    const admin = await adminLogin();
    const hostId = crypto.randomUUID();
    const seeded = await seedCertificates(hostId, 5);
    const q = (s: string) => call(`/api/v1/certificates?host_id=${hostId}${s}`, { headers: bearer(admin) });
    expect(await ids(await q(""))).toEqual(seeded);
    expect(await ids(await q("&limit=2"))).toEqual(seeded.slice(0, 2));
    expect(await ids(await q("&limit=2&offset=2"))).toEqual(seeded.slice(2, 4));
    expect(await ids(await q("&limit=2&offset=4"))).toEqual(seeded.slice(4));
    expect(await ids(await q("&offset=5"))).toEqual([]);
    // Above the maximum is clamped, not refused.
    expect(await ids(await q("&limit=100000"))).toEqual(seeded);
  });

  it("GET /certificates caps an unfiltered page at the default size", async () => {
    const admin = await adminLogin();
    await seedCertificates(crypto.randomUUID(), 51);
    expect(await ids(await call("/api/v1/certificates", { headers: bearer(admin) }))).toHaveLength(50);
  });

  it("GET /admin/enrollments pages with limit/offset, newest first", async () => {
    const admin = await adminLogin();
    const seeded = await seedPending(3);
    try {
      const q = (s: string) => call(`/api/v1/admin/enrollments?${s}`, { headers: bearer(admin) });
      expect(await ids(await q("limit=3"))).toEqual(seeded);
      expect(await ids(await q("limit=1&offset=1"))).toEqual(seeded.slice(1, 2));
      expect(await ids(await q("limit=2&offset=1"))).toEqual(seeded.slice(1, 3));
    } finally {
      for (const id of seeded) await env.DB.prepare("DELETE FROM enrollment_requests WHERE id = ?").bind(id).run();
    }
  });

  it("bad limit/offset → 400 in the native error shape on both lists", async () => {
    const admin = await adminLogin();
    for (const path of ["/api/v1/certificates", "/api/v1/admin/enrollments"]) {
      for (const bad of ["limit=0", "limit=-1", "limit=abc", "limit=1.5", "offset=-1", "offset=x"]) {
        const res = await call(`${path}?${bad}`, { headers: bearer(admin) });
        expect(res.status, `${path}?${bad}`).toBe(400);
        expect((await nativeError(res)).code).toBeTruthy();
      }
    }
  });
});
