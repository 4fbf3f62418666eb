import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createDb, ledgerKeysFor, sealPending } from "@fleetgate/domain";
import { describe, expect, it } from "vitest";
import { adminLogin, bearer } from "./auth-helpers";
import { call } from "./helpers";

interface Integrity {
  intact: boolean;
  rows_checked: number;
  errors: { row_id: string; expected_hash: string; actual_hash: string }[];
}
interface Checkpoint {
  size: number;
  head_hash: string;
  timestamp: string;
  key_id: string;
  signature: string;
  body: string;
}
interface CheckpointPage {
  checkpoints: Checkpoint[];
  next_cursor: number | null;
  jwks: { keys: (JsonWebKey & { kid: string })[] };
}

const sequencer = () => env.AUDIT_LEDGER.get(env.AUDIT_LEDGER.idFromName("ledger"));
const integrity = async () => {
  const admin = await adminLogin();
  const res = await call("/api/v1/settings/audit-integrity", { method: "POST", headers: bearer(admin) });
  expect(res.status).toBe(200);
  return (await res.json()) as Integrity;
};
const unsealed = async () =>
  (await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE ledger_seq IS NULL").first<{ n: number }>())?.n;
const head = () =>
  env.DB.prepare("SELECT id, seq, ledger_seq, hash FROM audit_log ORDER BY ledger_seq DESC LIMIT 1").first<{
    id: string;
    seq: number;
    ledger_seq: number;
    hash: string;
  }>();

async function makeGroups(n: number) {
  const admin = await adminLogin();
  for (let i = 0; i < n; i++) {
    const res = await call("/api/v1/groups", {
      method: "POST",
      headers: bearer(admin),
      json: { name: `l-${crypto.randomUUID()}` },
    });
    expect(res.status).toBe(200);
  }
}

const b64url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (ch) => ch.charCodeAt(0));

/** Verifies a published checkpoint as an outsider would: rebuild the body, check it with the JWKS key. */
async function verifyOffline(cp: Checkpoint, jwks: CheckpointPage["jwks"]): Promise<boolean> {
  const body = `fleetgate/audit-ledger/v1\n${cp.size}\n${cp.head_hash}\n${Date.parse(cp.timestamp)}\n`;
  if (body !== cp.body) return false;
  const jwk = jwks.keys.find((k) => k.kid === cp.key_id);
  if (!jwk) return false;
  const key = await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, b64url(cp.signature), new TextEncoder().encode(body));
}

describe("audit ledger: writing", () => {
  it("64 concurrent writers mixing refused logins and real changes: no 5xx, every change lands with its entry", async () => {
    const admin = await adminLogin();
    const before = await env.DB.prepare("SELECT count(*) AS n FROM audit_log").first<{ n: number }>();
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        i % 2 === 0
          ? call("/api/v1/auth/login", {
              method: "POST",
              json: { username: `nobody-${i}-${crypto.randomUUID()}`, password: "wrong-password-1" },
            })
          : call("/api/v1/groups", {
              method: "POST",
              headers: bearer(admin),
              json: { name: `mix-${i}-${crypto.randomUUID()}` },
            }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s, i) => i % 2 === 0)).toEqual(Array(32).fill(401));
    expect(statuses.filter((s, i) => i % 2 === 1)).toEqual(Array(32).fill(200));
    const groups = await Promise.all(
      results.filter((_, i) => i % 2 === 1).map((r) => r.json() as Promise<{ id: string }>),
    );
    for (const g of groups) {
      const row = await env.DB.prepare("SELECT action FROM audit_log WHERE target_id = ?").bind(g.id).first<{
        action: string;
      }>();
      expect(row?.action).toBe("group.create");
    }
    const after = await env.DB.prepare("SELECT count(*) AS n FROM audit_log").first<{ n: number }>();
    expect((after?.n ?? 0) - (before?.n ?? 0)).toBeGreaterThanOrEqual(64);
    await sequencer().seal();
    expect(await unsealed()).toBe(0);
    expect((await integrity()).errors).toEqual([]);
  }, 120_000); // 32 refused logins each run PBKDF2 (100,000 iterations) on a shared machine.

  it("an entry is written unsealed and the sequencer's alarm seals it", async () => {
    await makeGroups(1);
    expect(await unsealed()).toBeGreaterThan(0);
    // The write woke the sequencer, which set its alarm; run it now instead of waiting.
    await sequencer().wake();
    expect(await runDurableObjectAlarm(sequencer())).toBe(true);
    expect(await unsealed()).toBe(0);
    expect((await integrity()).intact).toBe(true);
  });

  it("two sealing rounds racing (an evicted sequencer finishing late) seal nothing twice", async () => {
    await makeGroups(5);
    const db = createDb(env.DB);
    const keys = await ledgerKeysFor(env.MASTER_KEY);
    const rounds = await Promise.allSettled([sealPending(db, keys), sealPending(db, keys), sealPending(db, keys, 2)]);
    expect(rounds.some((r) => r.status === "fulfilled")).toBe(true);
    await sequencer().seal();
    const rows = await env.DB.prepare("SELECT ledger_seq FROM audit_log ORDER BY ledger_seq").all<{
      ledger_seq: number;
    }>();
    expect(rows.results.map((r) => r.ledger_seq)).toEqual(rows.results.map((_, i) => i + 1));
    expect((await integrity()).errors).toEqual([]);
  });
});

describe("audit ledger: checkpoints", () => {
  it("publishes signed checkpoints that verify offline with the published key", async () => {
    await makeGroups(2);
    const report = await sequencer().seal({ checkpoint: true });
    expect(report.checkpointSize).toBe(report.size);
    const admin = await adminLogin();
    const res = await call("/api/v1/audit/checkpoints?limit=5", { headers: bearer(admin) });
    expect(res.status).toBe(200);
    const page = (await res.json()) as CheckpointPage;
    const newest = page.checkpoints[0];
    expect(newest).toMatchObject({ size: report.size, head_hash: report.headHash });
    expect((await head())?.hash).toBe(newest?.head_hash);
    expect(page.jwks.keys).toHaveLength(1);
    expect(page.jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(page.jwks.keys[0]).not.toHaveProperty("d");
    for (const cp of page.checkpoints) expect(await verifyOffline(cp, page.jwks)).toBe(true);
    // A checkpoint with its size changed no longer verifies.
    if (newest) expect(await verifyOffline({ ...newest, size: newest.size + 1, body: "" }, page.jwks)).toBe(false);
  });

  it("the checkpoint key is public (JWKS) but the checkpoints need a login", async () => {
    const jwks = await call("/api/v1/audit/checkpoints/jwks.json");
    expect(jwks.status).toBe(200);
    const body = (await jwks.json()) as CheckpointPage["jwks"];
    expect(body.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519" });
    expect(body.keys[0]).not.toHaveProperty("d");
    expect((await call("/api/v1/audit/checkpoints")).status).toBe(401);
  });
});

describe("audit ledger: tampering", () => {
  it("a sealed entry re-hashed without the chain key is detected (modified)", async () => {
    await makeGroups(2);
    await sequencer().seal();
    const h = await head();
    // Someone with D1 write access edits the entry and recomputes an unkeyed hash over it.
    const forged = "f".repeat(64);
    await env.DB.prepare("UPDATE audit_log SET action = 'group.delete', hash = ? WHERE id = ?")
      .bind(forged, h?.id)
      .run();
    const r = await integrity();
    expect(r.intact).toBe(false);
    expect(r.errors.find((e) => e.row_id === h?.id)).toMatchObject({ actual_hash: forged });
  });

  it("an entry inserted among sealed ones is detected (inserted, unsealed)", async () => {
    await makeGroups(2);
    await sequencer().seal();
    const h = await head();
    const id = crypto.randomUUID();
    // A row slipped in below the sealed frontier (explicit seq), as if written long ago.
    const low = await env.DB.prepare("SELECT min(seq) AS s FROM audit_log WHERE ledger_seq IS NOT NULL").first<{
      s: number;
    }>();
    await env.DB.prepare(
      "INSERT INTO audit_log (seq, id, at, action, outcome, detail) VALUES (?, ?, ?, 'user.delete', 'success', '{}')",
    )
      .bind((low?.s ?? 1) - 1000, id, Date.now() - 86_400_000)
      .run();
    expect((await integrity()).errors.map((e) => e.row_id)).toContain(id);
    // Once the sequencer seals it, its insertion order betrays it.
    await sequencer().seal();
    expect((await head())?.ledger_seq).toBe((h?.ledger_seq ?? 0) + 1);
    expect((await integrity()).errors.map((e) => e.row_id)).toContain(id);
  });

  it("an entry inserted with a forged position and hash is detected (inserted, sealed)", async () => {
    await makeGroups(1);
    await sequencer().seal();
    const h = await head();
    const id = crypto.randomUUID();
    await env.DB.prepare(
      "INSERT INTO audit_log (id, at, action, outcome, detail, ledger_seq, prev_hash, hash) VALUES (?, ?, 'user.delete', 'success', '{}', ?, ?, ?)",
    )
      .bind(id, Date.now(), (h?.ledger_seq ?? 0) + 1, h?.hash, "a".repeat(64))
      .run();
    expect((await integrity()).errors.map((e) => e.row_id)).toContain(id);
  });

  it("entries reordered in the ledger are detected", async () => {
    await makeGroups(3);
    await sequencer().seal();
    const rows = await env.DB.prepare("SELECT id, ledger_seq FROM audit_log ORDER BY ledger_seq DESC LIMIT 2").all<{
      id: string;
      ledger_seq: number;
    }>();
    const [a, b] = rows.results;
    await env.DB.batch([
      env.DB.prepare("UPDATE audit_log SET ledger_seq = -1 WHERE id = ?").bind(a?.id),
      env.DB.prepare("UPDATE audit_log SET ledger_seq = ? WHERE id = ?").bind(a?.ledger_seq, b?.id),
      env.DB.prepare("UPDATE audit_log SET ledger_seq = ? WHERE id = ?").bind(b?.ledger_seq, a?.id),
    ]);
    const ids = (await integrity()).errors.map((e) => e.row_id);
    expect(ids).toContain(a?.id);
    expect(ids).toContain(b?.id);
  });

  it("a deleted tail covered by a checkpoint is detected (deleted)", async () => {
    await makeGroups(2);
    const report = await sequencer().seal({ checkpoint: true });
    await env.DB.prepare("DELETE FROM audit_log WHERE ledger_seq = ?").bind(report.size).run();
    const r = await integrity();
    expect(r.intact).toBe(false);
    expect(r.errors).toContainEqual({
      row_id: `checkpoint:${report.size}`,
      expected_hash: report.headHash,
      actual_hash: "",
    });
  });

  it("a forged checkpoint is detected", async () => {
    await makeGroups(1);
    const report = await sequencer().seal({ checkpoint: true });
    const size = report.size + 1000;
    await env.DB.prepare(
      "INSERT INTO audit_checkpoints (size, head_hash, at, key_id, signature) SELECT ?, head_hash, at, key_id, signature FROM audit_checkpoints WHERE size = ?",
    )
      .bind(size, report.size)
      .run();
    expect((await integrity()).errors.map((e) => e.row_id)).toContain(`checkpoint:${size}`);
  });
});
