import type { z } from "zod";

const RETRY_MS = 2_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Messages written to this object's SQLite in the same synchronous step as the
 * state change that produced them, then delivered in order. A failed delivery
 * stays at the head with exponential backoff (`nextAt`, for the alarm), so a
 * message is never lost across resets and never overtaken by a later one.
 * Delivery must be idempotent at the receiver: after a reset between delivery
 * and delete, the head is sent again.
 */
export class DurableOutbox<S extends z.ZodType> {
  private draining: Promise<boolean> | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly schema: S,
    private readonly deliver: (target: string, message: z.infer<S>) => Promise<void>,
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
    for (;;) {
      const row = this.sql
        .exec<{ seq: number; job_id: string; payload: string; attempts: number }>(
          "SELECT seq, job_id, payload, attempts FROM outbox ORDER BY seq LIMIT 1",
        )
        .toArray()[0];
      if (!row) return true;
      try {
        await this.deliver(row.job_id, this.schema.parse(JSON.parse(row.payload)));
        this.sql.exec("DELETE FROM outbox WHERE seq = ?", row.seq);
      } catch (err) {
        const backoff = Math.min(MAX_BACKOFF_MS, RETRY_MS * 2 ** Math.min(row.attempts, 5));
        this.sql.exec(
          "UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE seq = ?",
          Date.now() + backoff,
          row.seq,
        );
        this.onFailure(row.job_id, err);
        return false;
      }
    }
  }
}
