import { sql } from "drizzle-orm";
import type { DomainContext } from "./context";
import { DomainError } from "./errors";

/**
 * Fixed-window counter in D1: one upsert statement, atomic per key. Throws
 * `common.rate_limited` (with Retry-After seconds) once `limit` is exceeded.
 */
export async function hit(ctx: DomainContext, key: string, limit: number, windowSeconds: number): Promise<void> {
  const now = ctx.now();
  const windowMs = windowSeconds * 1000;
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const count = await bump(ctx, key, windowSeconds);
  if (count > limit) {
    throw new DomainError("common.rate_limited", {
      details: { retryAfter: Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)) },
      reason: `rate limit ${key}`,
    });
  }
}

/** Counts one event for `key` in the current fixed window and returns the window's count (atomic upsert). */
export async function bump(ctx: DomainContext, key: string, windowSeconds: number): Promise<number> {
  const windowMs = windowSeconds * 1000;
  const windowStart = Math.floor(ctx.now() / windowMs) * windowMs;
  const row = await ctx.db.get<{ count: number }>(sql`
    INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT(key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
      window_start = excluded.window_start
    RETURNING count`);
  return row?.count ?? 1;
}
