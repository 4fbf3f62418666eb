import { describe, expect, it } from "vitest";
import {
  type AuditCheckpoint,
  type CheckpointKey,
  checkpointBody,
  type LedgerEntry,
  verifyAuditLedger,
} from "./audit-verify";

const b64url = (b: ArrayBuffer) => Buffer.from(b).toString("base64url");
const hex = (n: number) => n.toString(16).padStart(64, "0");

async function signer() {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const key: CheckpointKey = { kty: "OKP", crv: "Ed25519", x: jwk.x ?? "", kid: "k1", alg: "EdDSA", use: "sig" };
  const sign = async (size: number, head: string, ms: number): Promise<AuditCheckpoint> => {
    const fields = { size, head_hash: head, timestamp: new Date(ms).toISOString() };
    const body = checkpointBody(fields);
    const sig = await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, new TextEncoder().encode(body));
    return { ...fields, key_id: "k1", signature: b64url(sig), body };
  };
  return { key, sign };
}

/** A chain of n entries: entry k has hash hex(k) and links to hex(k-1) (genesis: zeros). */
const chain = (n: number): LedgerEntry[] =>
  Array.from({ length: n }, (_, i) => ({ id: `e${i + 1}`, ledger_seq: i + 1, prev_hash: hex(i), hash: hex(i + 1) }));

describe("offline audit verification", () => {
  it("accepts genuine checkpoints and the entries they sign", async () => {
    const s = await signer();
    const cps = [await s.sign(3, hex(3), 1_700_000_000_000), await s.sign(5, hex(5), 1_700_000_010_000)];
    const r = await verifyAuditLedger({ checkpoints: cps, keys: [s.key], entries: chain(5) });
    expect(r).toEqual({ ok: true, checkpoints_checked: 2, entries_checked: 5, verified_size: 5, problems: [] });
  });

  it("detects a tampered checkpoint: changed head, size or time, forged signature, unknown key", async () => {
    const s = await signer();
    const good = await s.sign(5, hex(5), 1_700_000_010_000);
    const other = await signer();
    const cases: [AuditCheckpoint, string][] = [
      [{ ...good, head_hash: hex(99) }, "signature does not verify"],
      [{ ...good, size: 4 }, "signature does not verify"],
      [{ ...good, timestamp: new Date(1_700_000_011_000).toISOString() }, "signature does not verify"],
      [await other.sign(5, hex(5), 1_700_000_010_000), "signature does not verify"],
      [{ ...good, key_id: "nope" }, "signed by an unknown key nope"],
      [{ ...good, body: good.body.replace(hex(5), hex(6)) }, "body differs from its signed fields"],
    ];
    for (const [cp, problem] of cases) {
      const r = await verifyAuditLedger({ checkpoints: [cp], keys: [s.key] });
      expect(r.ok).toBe(false);
      expect(r.problems[0]?.problem).toBe(problem);
    }
  });

  it("detects edited, deleted and inserted entries against the signed heads", async () => {
    const s = await signer();
    const cps = [await s.sign(4, hex(4), 1_700_000_000_000)];
    const edited = chain(5).map((e) => (e.ledger_seq === 4 ? { ...e, hash: hex(44) } : e));
    expect((await verifyAuditLedger({ checkpoints: cps, keys: [s.key], entries: edited })).problems).toEqual([
      { item: "entry:5", problem: "does not link to the previous entry" },
      { item: "entry:4", problem: "hash differs from signed checkpoint:4" },
    ]);
    const deleted = chain(5)
      .filter((e) => e.ledger_seq !== 2)
      .map((e) => (e.ledger_seq && e.ledger_seq > 2 ? { ...e, ledger_seq: e.ledger_seq - 1 } : e));
    const r = await verifyAuditLedger({ checkpoints: cps, keys: [s.key], entries: deleted });
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.item)).toContain("entry:2");
  });

  it("flags two signed heads that contradict each other", async () => {
    const s = await signer();
    const cps = [await s.sign(5, hex(5), 1_700_000_010_000), await s.sign(5, hex(6), 1_700_000_020_000)];
    const r = await verifyAuditLedger({ checkpoints: cps, keys: [s.key] });
    expect(r.problems).toEqual([{ item: "checkpoint:5", problem: "inconsistent with checkpoint:5" }]);
  });
});
