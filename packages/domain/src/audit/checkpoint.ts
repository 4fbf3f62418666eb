import { desc, lt } from "drizzle-orm";
import { auditCheckpoints } from "../schema";
import type { DomainContext } from "../shared/context";

/** First line of every checkpoint body: names the format and its version. */
export const CHECKPOINT_ORIGIN = "fleetgate/audit-ledger/v1";

/**
 * The signed text of a checkpoint, one field a line, in the spirit of RFC 9162
 * §4.10 (TreeHeadDataV2: timestamp, tree size, root hash) and of the
 * transparency-log "checkpoint" note: origin, ledger size, head hash (hex),
 * time (ms since the epoch). Anyone can rebuild it from the published fields
 * and check the Ed25519 signature with the published key.
 */
export function checkpointBody(c: { size: number; headHash: string; at: number }): string {
  return `${CHECKPOINT_ORIGIN}\n${c.size}\n${c.headHash}\n${c.at}\n`;
}

/** Checkpoints newest first; `before` = the last size seen (cursor). */
export async function listCheckpoints(ctx: DomainContext, f: { before?: number; limit: number }) {
  const rows = await ctx.db
    .select()
    .from(auditCheckpoints)
    .where(f.before !== undefined ? lt(auditCheckpoints.size, f.before) : undefined)
    .orderBy(desc(auditCheckpoints.size))
    .limit(f.limit + 1)
    .all();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    checkpoints: page.map((c) => ({ ...c, body: checkpointBody(c) })),
    nextCursor: rows.length > f.limit && last ? last.size : null,
    key: ctx.keys.ledger.checkpointJwk,
  };
}
