import { ed25519Verify } from "@fleetgate/auth";
import { and, asc, count, gt, inArray, isNotNull, isNull, lt } from "drizzle-orm";
import { notifySafely } from "../notify/notify.service";
import { auditCheckpoints, auditLog } from "../schema";
import type { DomainContext } from "../shared/context";
import { entryHash, GENESIS_HASH } from "./chain";
import { checkpointBody } from "./checkpoint";

export interface IntegrityReport {
  intact: boolean;
  rowsChecked: number;
  errors: { rowId: string; expectedHash: string; actualHash: string }[];
}

const PAGE = 500;
/** D1 allows 100 bound parameters per statement. */
const CHECKPOINT_PAGE = 90;

/**
 * Verifies the ledger:
 * - walks the sealed entries in ledger order, recomputing every keyed link: a row
 *   whose hash, prev_hash, position (a gap in ledger_seq) or insertion order
 *   (`seq` not increasing) is wrong is reported with the hash it should have;
 * - an unsealed entry older than the newest sealed one cannot be genuine (the
 *   sequencer seals in insertion order): it was inserted afterwards;
 * - every signed checkpoint must verify with the ledger key and match the head
 *   hash at its size, so a truncated tail or a forged checkpoint is reported
 *   (row_id `checkpoint:<size>`).
 * Unsealed entries newer than the head are counted as checked: they are in the
 * unsealed window (docs/auth.md) and get sealed within seconds.
 */
export async function verifyAuditChain(ctx: DomainContext): Promise<IntegrityReport> {
  const { chain, checkpointVerifier } = ctx.keys.ledger;
  const errors: IntegrityReport["errors"] = [];
  let prev = GENESIS_HASH;
  let prevLedger = 0;
  let prevSeq = 0;
  let checked = 0;
  for (;;) {
    const rows = await ctx.db
      .select()
      .from(auditLog)
      .where(and(isNotNull(auditLog.ledgerSeq), gt(auditLog.ledgerSeq, prevLedger)))
      .orderBy(asc(auditLog.ledgerSeq))
      .limit(PAGE)
      .all();
    if (rows.length === 0) break;
    for (const row of rows) {
      checked++;
      const ledgerSeq = row.ledgerSeq ?? 0;
      // The hash this row must have at the next position after the previous row.
      const expected = await entryHash(chain, prev, { ledgerSeq: prevLedger + 1, seq: row.seq }, row);
      if (ledgerSeq !== prevLedger + 1 || row.prevHash !== prev || row.hash !== expected || row.seq <= prevSeq) {
        errors.push({ rowId: row.id, expectedHash: expected, actualHash: row.hash ?? "" });
      }
      // Continue from the stored values so that one bad row is reported once, not cascaded.
      prev = row.hash ?? "";
      prevLedger = ledgerSeq;
      prevSeq = row.seq;
    }
  }
  // Unsealed rows: genuine ones are all newer than the sealed head.
  const [unsealed] = await ctx.db.select({ n: count() }).from(auditLog).where(isNull(auditLog.ledgerSeq));
  checked += unsealed?.n ?? 0;
  const inserted = await ctx.db
    .select({ id: auditLog.id, hash: auditLog.hash })
    .from(auditLog)
    .where(and(isNull(auditLog.ledgerSeq), lt(auditLog.seq, prevSeq)))
    .orderBy(asc(auditLog.seq))
    .limit(PAGE)
    .all();
  for (const row of inserted) errors.push({ rowId: row.id, expectedHash: "", actualHash: row.hash ?? "" });
  // Checkpoints against the stored hash at their size (the walk above proved those hashes).
  let after = 0;
  for (;;) {
    const cps = await ctx.db
      .select()
      .from(auditCheckpoints)
      .where(gt(auditCheckpoints.size, after))
      .orderBy(asc(auditCheckpoints.size))
      .limit(CHECKPOINT_PAGE)
      .all();
    if (cps.length === 0) break;
    const at = await ctx.db
      .select({ ledgerSeq: auditLog.ledgerSeq, hash: auditLog.hash })
      .from(auditLog)
      .where(
        inArray(
          auditLog.ledgerSeq,
          cps.map((c) => c.size),
        ),
      )
      .all();
    const hashAt = new Map(at.map((r) => [r.ledgerSeq, r.hash ?? ""]));
    for (const cp of cps) {
      const actual = hashAt.get(cp.size) ?? "";
      const signed = await ed25519Verify(checkpointVerifier, checkpointBody(cp), cp.signature);
      if (!signed || actual !== cp.headHash) {
        errors.push({ rowId: `checkpoint:${cp.size}`, expectedHash: cp.headHash, actualHash: actual });
      }
      after = cp.size;
    }
  }
  const first = errors[0];
  if (first)
    await notifySafely(
      ctx,
      { type: "audit_verification_failed", rows_checked: checked, errors: errors.length, first_row_id: first.rowId },
      { dedupe: `audit:${first.rowId}` },
    );
  return { intact: errors.length === 0, rowsChecked: checked, errors };
}
