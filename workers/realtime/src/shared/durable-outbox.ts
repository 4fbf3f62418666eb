import type { z } from "zod";
import { yieldTurn } from "./yield-turn";

const RETRY_MS = 2_000;
const MAX_BACKOFF_MS = 60_000;
/** The most messages one delivery carries (consecutive messages to the same target). */
export const OUTBOX_BATCH = 32;
/** A delivery stops growing past this many bytes of payload (results carry output); the head always goes. */
const BATCH_BYTES = 1024 * 1024;

/** A stored message as this object holds it between its insert and its delivery. */
interface Entry<T> {
  seq: number;
  target: string;
  payload: string;
  /** The message as added by this instance (not parsed again); absent for rows read back from storage. */
  message?: T;
  attempts: number;
  nextAt: number;
}

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
  /**
   * The stored rows in seq order, read from SQLite once per instance (rows left by a previous
   * instance) and then kept in step with every insert, delete and backoff: a delivery neither
   * selects the rows nor parses a payload this instance built a moment earlier.
   */
  private mirror: Entry<z.infer<S>>[] | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly schema: S,
    /** Delivers `messages` (1..OUTBOX_BATCH, in order) to `target`, all or nothing. */
    private readonly deliver: (target: string, messages: z.infer<S>[]) => Promise<void>,
    private readonly onFailure: (target: string, err: unknown) => void,
  ) {}

  /** Creates the table; also after the storage was wiped (`deleteAll`): the rows are read afresh then. */
  migrate(): void {
    this.mirror = undefined;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL);
    `);
  }

  /** Queues `message` for `target` (stored as JSON; a row read back after a reset is parsed with the schema). */
  add(target: string, message: z.infer<S>): void {
    const payload = JSON.stringify(message);
    const nextAt = Date.now();
    const { seq } = this.sql
      .exec<{ seq: number }>(
        "INSERT INTO outbox (job_id, payload, next_at) VALUES (?, ?, ?) RETURNING seq",
        target,
        payload,
        nextAt,
      )
      .one();
    // Not loaded yet: the first read of the rows includes this one.
    this.mirror?.push({ seq, target, payload, message, attempts: 0, nextAt });
  }

  /** Earliest retry time, if anything waits. */
  nextAt(): number | null {
    const rows = this.rows();
    return rows.length === 0 ? null : Math.min(...rows.map((r) => r.nextAt));
  }

  size(): number {
    return this.rows().length;
  }

  /** Delivers in order until empty (true) or the first failure (false; retried later). One drain at a time. */
  drain(): Promise<boolean> {
    this.draining ??= this.drainOnce().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private rows(): Entry<z.infer<S>>[] {
    this.mirror ??= this.sql
      .exec<{ seq: number; job_id: string; payload: string; attempts: number; next_at: number }>(
        "SELECT seq, job_id, payload, attempts, next_at FROM outbox ORDER BY seq",
      )
      .toArray()
      .map((r) => ({ seq: r.seq, target: r.job_id, payload: r.payload, attempts: r.attempts, nextAt: r.next_at }));
    return this.mirror;
  }

  private async drainOnce(): Promise<boolean> {
    // One turn first: frames that arrived together (an ack and its result) join this delivery.
    await yieldTurn();
    for (;;) {
      const rows = this.rows();
      const head = rows[0];
      if (!head) return true;
      const batch = [head];
      let bytes = head.payload.length;
      for (const r of rows.slice(1, OUTBOX_BATCH)) {
        bytes += r.payload.length;
        if (r.target !== head.target || bytes > BATCH_BYTES) break;
        batch.push(r);
      }
      const last = batch[batch.length - 1] ?? head;
      try {
        await this.deliver(
          head.target,
          batch.map((r) => r.message ?? this.schema.parse(JSON.parse(r.payload))),
        );
        // The batch is the head and the rows right after it: nothing else lies in between.
        this.sql.exec("DELETE FROM outbox WHERE seq BETWEEN ? AND ?", head.seq, last.seq);
        // Only this (single) drain removes rows; a wipe meanwhile replaced the mirror.
        if (this.mirror === rows) rows.splice(0, batch.length);
      } catch (err) {
        const backoff = Math.min(MAX_BACKOFF_MS, RETRY_MS * 2 ** Math.min(head.attempts, 5));
        const nextAt = Date.now() + backoff;
        this.sql.exec("UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE seq = ?", nextAt, head.seq);
        head.attempts++;
        head.nextAt = nextAt;
        this.onFailure(head.target, err);
        return false;
      }
    }
  }
}
