import type { Schemas } from "./types";

export type AuditCheckpoint = Schemas["AuditCheckpoint"];
export type CheckpointKey = Schemas["AuditCheckpointKey"];

/** First line of every checkpoint body (packages/domain/src/audit/checkpoint.ts). */
export const CHECKPOINT_ORIGIN = "fleetgate/audit-ledger/v1";
const GENESIS = "0".repeat(64);

/** An audit entry as far as the offline check needs it (from `audit list -o ndjson`). */
export interface LedgerEntry {
  id: string;
  ledger_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface VerifyProblem {
  /** `checkpoint:<size>` or `entry:<ledger_seq>` */
  item: string;
  problem: string;
}

export interface VerifyReport {
  ok: boolean;
  checkpoints_checked: number;
  entries_checked: number;
  /** Size of the largest checkpoint that verified. */
  verified_size: number | null;
  problems: VerifyProblem[];
}

/** The signed text, rebuilt from the published fields (never taken from the server's `body`). */
export function checkpointBody(c: { size: number; head_hash: string; timestamp: string }): string {
  return `${CHECKPOINT_ORIGIN}\n${c.size}\n${c.head_hash}\n${Date.parse(c.timestamp)}\n`;
}

function fromBase64Url(s: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Verifies signed audit checkpoints offline (Ed25519, RFC 8032, via WebCrypto) against the given
 * public keys, and the given ledger entries against them: consecutive entries must link
 * (`prev_hash` = the previous entry's `hash`, the first one 64 zeros) and the entry at each
 * checkpoint's size must carry the checkpoint's head hash. Entry hashes are keyed (HMAC with a
 * server secret), so an entry's content cannot be re-hashed offline: the check proves that the
 * entries form the chain the server signed, and that no signed head was rewritten, dropped or moved.
 */
export async function verifyAuditLedger(input: {
  checkpoints: readonly AuditCheckpoint[];
  keys: readonly CheckpointKey[];
  entries?: readonly LedgerEntry[];
}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const keys = new Map<string, Awaited<ReturnType<typeof crypto.subtle.importKey>>>();
  for (const k of input.keys) {
    if (k.kty !== "OKP" || k.crv !== "Ed25519") continue;
    keys.set(
      k.kid,
      await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: k.x }, { name: "Ed25519" }, false, [
        "verify",
      ]),
    );
  }
  const valid: AuditCheckpoint[] = [];
  for (const cp of input.checkpoints) {
    const item = `checkpoint:${cp.size}`;
    const key = keys.get(cp.key_id);
    if (!key) {
      problems.push({ item, problem: `signed by an unknown key ${cp.key_id}` });
      continue;
    }
    if (
      !Number.isInteger(cp.size) ||
      cp.size < 1 ||
      !/^[0-9a-f]{64}$/.test(cp.head_hash) ||
      Number.isNaN(Date.parse(cp.timestamp))
    ) {
      problems.push({ item, problem: "malformed fields" });
      continue;
    }
    const body = checkpointBody(cp);
    const sig = fromBase64Url(cp.signature);
    const signed =
      sig !== undefined && (await crypto.subtle.verify({ name: "Ed25519" }, key, sig, new TextEncoder().encode(body)));
    if (!signed) {
      problems.push({ item, problem: "signature does not verify" });
      continue;
    }
    if (cp.body !== undefined && cp.body !== body)
      problems.push({ item, problem: "body differs from its signed fields" });
    valid.push(cp);
  }
  // Signed heads must grow with time: a larger ledger can never be older.
  const bySize = [...valid].sort((a, b) => a.size - b.size);
  for (let i = 1; i < bySize.length; i++) {
    const prev = bySize[i - 1];
    const cur = bySize[i];
    if (
      prev &&
      cur &&
      (prev.size === cur.size
        ? prev.head_hash !== cur.head_hash
        : Date.parse(cur.timestamp) < Date.parse(prev.timestamp))
    ) {
      problems.push({ item: `checkpoint:${cur.size}`, problem: `inconsistent with checkpoint:${prev.size}` });
    }
  }
  let entriesChecked = 0;
  if (input.entries) {
    const bySeq = new Map<number, LedgerEntry>();
    for (const e of input.entries) {
      if (e.ledger_seq === null) continue;
      if (bySeq.has(e.ledger_seq))
        problems.push({ item: `entry:${e.ledger_seq}`, problem: "ledger position appears twice" });
      bySeq.set(e.ledger_seq, e);
    }
    for (const [seq, e] of bySeq) {
      entriesChecked++;
      const prev = seq === 1 ? { hash: GENESIS } : bySeq.get(seq - 1);
      if (prev && e.prev_hash !== prev.hash)
        problems.push({ item: `entry:${seq}`, problem: "does not link to the previous entry" });
    }
    for (const cp of valid) {
      const e = bySeq.get(cp.size);
      if (e && e.hash !== cp.head_hash)
        problems.push({ item: `entry:${cp.size}`, problem: `hash differs from signed checkpoint:${cp.size}` });
    }
  }
  const verified = bySize.filter(
    (c) => !problems.some((p) => p.item === `checkpoint:${c.size}` || p.item === `entry:${c.size}`),
  );
  return {
    ok: problems.length === 0,
    checkpoints_checked: input.checkpoints.length,
    entries_checked: entriesChecked,
    verified_size: verified.at(-1)?.size ?? null,
    problems,
  };
}
