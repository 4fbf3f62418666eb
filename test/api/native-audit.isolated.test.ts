import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

interface Integrity {
  intact: boolean;
  rows_checked: number;
  errors: { row_id: string; expected_hash: string; actual_hash: string }[];
}
const integrity = async () => {
  const admin = await adminLogin();
  const res = await call("/api/v1/settings/audit-integrity", { method: "POST", headers: bearer(admin) });
  expect(res.status).toBe(200);
  return (await res.json()) as Integrity;
};
/** Seals every pending entry now, as the sequencer's alarm would a moment later. */
const seal = () => env.AUDIT_LEDGER.get(env.AUDIT_LEDGER.idFromName("ledger")).seal();
const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM audit_log").first<{ n: number }>())?.n ?? 0;

async function makeGroups(n: number) {
  const admin = await adminLogin();
  for (let i = 0; i < n; i++) {
    const res = await call("/api/v1/groups", {
      method: "POST",
      headers: bearer(admin),
      json: { name: `g-${crypto.randomUUID()}` },
    });
    expect(res.status).toBe(200);
  }
}

describe("audit chain (sealed ledger)", () => {
  it("a mutating request appends exactly one entry with actor, credential, the server's request id, the client's id as correlation only, and source IP", async () => {
    const admin = await adminLogin();
    const before = await count();
    const res = await call("/api/v1/groups", {
      method: "POST",
      headers: { ...bearer(admin), "x-request-id": "audit-req-1", "cf-connecting-ip": "192.0.2.7" },
      json: { name: `audited-${crypto.randomUUID()}` },
    });
    const { id } = (await res.json()) as { id: string };
    expect(await count()).toBe(before + 1);
    const list = (await (await call(`/api/v1/audit?target=${id}`, { headers: bearer(admin) })).json()) as {
      entries: Record<string, unknown>[];
    };
    expect(list.entries).toHaveLength(1);
    expect(list.entries[0]).toMatchObject({
      action: "group.create",
      actor_id: admin.userId,
      actor_name: "admin",
      target_id: id,
      // Issue 11: the client's X-Request-Id is a correlation field, never the entry's request id.
      request_id: res.headers.get("x-request-id"),
      source_ip: "192.0.2.7",
      outcome: "success",
    });
    expect(list.entries[0]?.request_id).not.toBe("audit-req-1");
    expect(list.entries[0]?.detail).toMatchObject({ correlation_id: "audit-req-1" });
    expect(list.entries[0]?.credential_id).toBeTruthy();
  });

  it("a refused change writes no entry and changes nothing (conflict)", async () => {
    const admin = await adminLogin();
    const name = `dup-${crypto.randomUUID()}`;
    await call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name } });
    const before = await count();
    const res = await call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name } });
    expect(res.status).toBe(409);
    expect(await count()).toBe(before);
  });

  it("filters and cursor pagination", async () => {
    const admin = await adminLogin();
    await makeGroups(3);
    const page1 = (await (
      await call("/api/v1/audit?action=group.create&limit=2", { headers: bearer(admin) })
    ).json()) as {
      entries: { seq: number; action: string }[];
      next_cursor: number;
    };
    expect(page1.entries).toHaveLength(2);
    expect(page1.entries.every((e) => e.action === "group.create")).toBe(true);
    const page2 = (await (
      await call(`/api/v1/audit?action=group.create&limit=2&cursor=${page1.next_cursor}`, { headers: bearer(admin) })
    ).json()) as { entries: { seq: number }[] };
    expect(page2.entries[0]?.seq).toBeLessThan(page1.entries[1]?.seq ?? 0);
  });

  it("secrets never reach the audit log", async () => {
    const admin = await adminLogin();
    const pw = "Very-Secret-Pass-42!";
    await call("/api/v1/users", {
      method: "POST",
      headers: bearer(admin),
      json: { username: `sec-${Date.now()}`, email: `sec-${Date.now()}@x.test`, role: "reporter", password: pw },
    });
    const t = await call("/api/v1/tokens", { method: "POST", headers: bearer(admin), json: { name: "leak-check" } });
    const { secret } = (await t.json()) as { secret: string };
    const all = await env.DB.prepare("SELECT * FROM audit_log").all();
    const dump = JSON.stringify(all.results);
    expect(dump).not.toContain(pw);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(admin.refresh);
  });

  it("an intact chain verifies", async () => {
    await makeGroups(2);
    await seal();
    const r = await integrity();
    expect(r.intact).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.rows_checked).toBe(await count());
  });

  it("concurrent writers keep one linear chain", async () => {
    const admin = await adminLogin();
    await Promise.all(
      Array.from({ length: 8 }, () =>
        call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name: `c-${crypto.randomUUID()}` } }),
      ),
    );
    await seal();
    const r = await integrity();
    expect(r.errors).toEqual([]);
    // One linear ledger: positions 1..n, each entry sealed once, in insertion order.
    const rows = await env.DB.prepare("SELECT seq, ledger_seq FROM audit_log ORDER BY ledger_seq").all<{
      seq: number;
      ledger_seq: number;
    }>();
    expect(rows.results.map((x) => x.ledger_seq)).toEqual(rows.results.map((_, i) => i + 1));
    expect(rows.results.map((x) => x.seq)).toEqual([...rows.results.map((x) => x.seq)].sort((a, b) => a - b));
  });

  it("an edited entry is detected", async () => {
    await makeGroups(3);
    await seal();
    const row = await env.DB.prepare("SELECT id, hash FROM audit_log ORDER BY seq DESC LIMIT 1 OFFSET 1").first<{
      id: string;
      hash: string;
    }>();
    await env.DB.prepare("UPDATE audit_log SET actor_name = 'mallory' WHERE id = ?").bind(row?.id).run();
    const r = await integrity();
    expect(r.intact).toBe(false);
    expect(r.errors.map((e) => e.row_id)).toEqual([row?.id]);
    expect(r.errors[0]?.actual_hash).toBe(row?.hash);
    expect(r.errors[0]?.expected_hash).not.toBe(row?.hash);
  });

  it("a deleted entry is detected", async () => {
    await makeGroups(3);
    await seal();
    const rows = await env.DB.prepare("SELECT id FROM audit_log ORDER BY seq DESC LIMIT 2").all<{ id: string }>();
    await env.DB.prepare("DELETE FROM audit_log WHERE id = ?").bind(rows.results[1]?.id).run();
    const r = await integrity();
    expect(r.intact).toBe(false);
    expect(r.errors.map((e) => e.row_id)).toContain(rows.results[0]?.id);
  });

  it("reordered entries are detected", async () => {
    await makeGroups(3);
    await seal();
    const rows = await env.DB.prepare("SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 2").all<{ seq: number }>();
    const [a, b] = rows.results.map((r) => r.seq);
    await env.DB.batch([
      env.DB.prepare("UPDATE audit_log SET seq = -1 WHERE seq = ?").bind(a),
      env.DB.prepare("UPDATE audit_log SET seq = ? WHERE seq = ?").bind(a, b),
      env.DB.prepare("UPDATE audit_log SET seq = ? WHERE seq = -1").bind(b),
    ]);
    const r = await integrity();
    expect(r.intact).toBe(false);
    expect(r.errors.length).toBeGreaterThan(0);
  });
});
