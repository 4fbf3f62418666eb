import type { z } from "zod";
import { yieldTurn } from "./yield-turn";

const RETRY_MS = 2_000;
const MAX_BACKOFF_MS = 60_000;
/** The most messages one delivery carries (consecutive messages to the same target). */
export const OUTBOX_BATCH = 32;
/** A delivery stops growing past this many bytes of payload (results carry output); the head always goes. */
const BATCH_BYTES = 1024 * 1024;

/**
 * Messages written to this object's SQLite in the same synchronous step as the
 * state change that produced them, then delivered in order. A failed delivery
 * stays at the head with exponential backoff (`nextAt`, for the alarm), so a
 * message is never lost across resets and never overtaken by a later one.
 * Delivery must be idempotent at the receiver: after a reset between delivery
 * and delete, the head is sent again.
 *
 * Consecutive messages to the same target go in one delivery (at most
 * `OUTBOX_BATCH`, in order): whatever was added while the previous delivery was
 * in flight, or in the same turn of the event loop (an agent's ack and result
 * arrive together), costs one call instead of one each.
 */
export class DurableOutbox<S extends z.ZodType> {
  private draining: Promise<boolean> | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly schema: S,
    /** Delivers `messages` (1..OUTBOX_BATCH, in order) to `target`, all or nothing. */
    private readonly deliver: (target: string, messages: z.infer<S>[]) => Promise<void>,
    private readonly onFailure: (target: string, err: unknown) => void,
  ) {}

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL);
    `);
  }

  /** Queues `message` for `target` (stored as JSON; parsed with the schema on delivery). */
  add(target: string, message: z.infer<S>): void {
    this.sql.exec(
      "INSERT INTO outbox (job_id, payload, next_at) VALUES (?, ?, ?)",
      target,
      JSON.stringify(message),
      Date.now(),
    );
  }

  /** Earliest retry time, if anything waits. */
  nextAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT min(next_at) AS t FROM outbox").one().t;
  }

  size(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
  }

  /** Delivers in order until empty (true) or the first failure (false; retried later). One drain at a time. */
  drain(): Promise<boolean> {
    this.draining ??= this.drainOnce().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainOnce(): Promise<boolean> {
    // One turn first: frames that arrived together (an ack and its result) join this delivery.
    await yieldTurn();
    for (;;) {
      const rows = this.sql
        .exec<{ seq: number; job_id: string; payload: string; attempts: number }>(
          "SELECT seq, job_id, payload, attempts FROM outbox ORDER BY seq LIMIT ?",
          OUTBOX_BATCH,
        )
        .toArray();
      const head = rows[0];
      if (!head) return true;
      const batch = [head];
      let bytes = head.payload.length;
      for (const r of rows.slice(1)) {
        bytes += r.payload.length;
        if (r.job_id !== head.job_id || bytes > BATCH_BYTES) break;
        batch.push(r);
      }
      const last = batch[batch.length - 1] ?? head;
      try {
        await this.deliver(
          head.job_id,
          batch.map((r) => this.schema.parse(JSON.parse(r.payload))),
        );
        // The batch is the head and the rows right after it: nothing else lies in between.
        this.sql.exec("DELETE FROM outbox WHERE seq BETWEEN ? AND ?", head.seq, last.seq);
      } catch (err) {
        const backoff = Math.min(MAX_BACKOFF_MS, RETRY_MS * 2 ** Math.min(head.attempts, 5));
        this.sql.exec(
          "UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE seq = ?",
          Date.now() + backoff,
          head.seq,
        );
        this.onFailure(head.job_id, err);
        return false;
      }
    }
  }
}
