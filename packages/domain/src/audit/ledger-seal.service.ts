import { deriveKeys, ed25519Sign, type LedgerKeys } from "@fleetgate/auth";
import { asc, desc, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database } from "../db";
import { auditCheckpoints, auditLog } from "../schema";
import { entryHash, GENESIS_HASH } from "./chain";
import { checkpointBody } from "./checkpoint";

let cached: { master: string; keys: Promise<LedgerKeys> } | undefined;

/** The ledger keys for a MASTER_KEY, derived once per isolate (for the sequencer, which has no DomainContext). */
export function ledgerKeysFor(masterKeyB64: string): Promise<LedgerKeys> {
  if (cached?.master !== masterKeyB64) {
    cached = { master: masterKeyB64, keys: deriveKeys(masterKeyB64).then((k) => k.ledger) };
  }
  return cached.keys;
}

/** Entries sealed per D1 batch (one read round trip, one write batch). */
export const SEAL_BATCH = 200;

export interface LedgerHead {
  /** Number of sealed entries (= ledger_seq of the head). */
  size: number;
  headHash: string;
}

export interface SealRound extends LedgerHead {
  sealed: number;
  /** More unsealed entries were waiting than one batch takes. */
  more: boolean;
}

/**
 * Seals the oldest unsealed entries (by `seq`, the insertion order D1's single
 * writer assigns) onto the ledger head: ledger_seq = head + 1, 2…, each hash
 * linking the previous one. Sealing is deterministic (same rows, same head, same
 * key → same values), the round's one UPDATE only touches rows that are still
 * unsealed and `ledger_seq` is unique, so a round that races another sealer (an
 * evicted instance finishing late) either writes identical values or aborts whole:
 * nothing is sealed twice, and a round that fails leaves its rows unsealed for
 * the next one.
 */
export async function sealPending(db: Database, keys: LedgerKeys, limit = SEAL_BATCH): Promise<SealRound> {
  const [heads, pending] = await db.batch([
    db
      .select({ ledgerSeq: auditLog.ledgerSeq, hash: auditLog.hash })
      .from(auditLog)
      .where(isNotNull(auditLog.ledgerSeq))
      .orderBy(desc(auditLog.ledgerSeq))
      .limit(1),
    db
      .select()
      .from(auditLog)
      .where(isNull(auditLog.ledgerSeq))
      .orderBy(asc(auditLog.seq))
      .limit(limit + 1),
  ]);
  const head = heads[0];
  let size = head?.ledgerSeq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const rows = pending.slice(0, limit);
  if (rows.length === 0) return { size, headHash: prev, sealed: 0, more: false };
  const seals: { seq: number; ledgerSeq: number; prevHash: string; hash: string }[] = [];
  for (const row of rows) {
    const ledgerSeq = size + 1;
    const hash = await entryHash(keys.chain, prev, { ledgerSeq, seq: row.seq }, row);
    seals.push({ seq: row.seq, ledgerSeq, prevHash: prev, hash });
    size = ledgerSeq;
    prev = hash;
  }
  // The whole round in ONE statement (the seals as one JSON parameter), not one UPDATE per entry.
  const s = sql`value`;
  await db.run(sql`UPDATE ${auditLog}
    SET ${sql.identifier(auditLog.ledgerSeq.name)} = ${s} ->> '$.ledgerSeq',
        ${sql.identifier(auditLog.prevHash.name)} = ${s} ->> '$.prevHash',
        ${sql.identifier(auditLog.hash.name)} = ${s} ->> '$.hash'
    FROM json_each(${JSON.stringify(seals)})
    WHERE ${auditLog.seq} = ${s} ->> '$.seq' AND ${auditLog.ledgerSeq} IS NULL`);
  return { size, headHash: prev, sealed: rows.length, more: pending.length > limit };
}

/** The newest signed checkpoint, if any. */
export async function latestCheckpoint(db: Database) {
  return db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.size)).limit(1).get();
}

/**
 * Signs a checkpoint of `head` (size, head hash, time) with the Ed25519 key and
 * stores it. A checkpoint is only ever added for a larger ledger (size is the key).
 */
export async function signCheckpoint(db: Database, keys: LedgerKeys, head: LedgerHead, at: number) {
  const signature = await ed25519Sign(keys.checkpointSigner, checkpointBody({ ...head, at }));
  const row = { size: head.size, headHash: head.headHash, at, keyId: keys.checkpointJwk.kid, signature };
  await db.insert(auditCheckpoints).values(row).onConflictDoNothing();
  return row;
}
