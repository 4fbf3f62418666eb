import { and, eq, inArray, isNotNull, lt, or } from "drizzle-orm";
import { REFRESH_FAMILY_MAX_MS } from "../identity/session-tokens.service";
import { enrollmentRequests, rateLimits, refreshTokens } from "../schema";
import type { DomainContext } from "../shared/context";

const DAY_MS = 86_400_000;
/** Rate-limit windows are at most a day long; a row whose window started 2 days ago counts nothing. */
const RATE_LIMIT_KEEP_MS = 2 * DAY_MS;
/** Decided / expired self-enrollment requests stay visible to admins for a week. */
const ENROLLMENT_REQUEST_KEEP_MS = 7 * DAY_MS;

/**
 * Cron sweep (issue 11): approved bundles past their 600 s are wiped at once
 * (key material never lingers), and expired rows are deleted — enrollment
 * requests a week after expiry or decision, refresh tokens once their family
 * cannot be alive any more (reuse detection needs rotated rows only while the
 * family lives), rate-limit windows two days after they started.
 */
export async function sweepSecurityRows(ctx: DomainContext): Promise<void> {
  const now = ctx.now();
  const keepSince = now - ENROLLMENT_REQUEST_KEEP_MS;
  await ctx.db.batch([
    ctx.db
      .update(enrollmentRequests)
      .set({ bundleEnc: null, updatedAt: now })
      .where(and(isNotNull(enrollmentRequests.bundleEnc), lt(enrollmentRequests.bundleExpiresAt, now))),
    ctx.db
      .delete(enrollmentRequests)
      .where(
        or(
          and(eq(enrollmentRequests.status, "pending"), lt(enrollmentRequests.expiresAt, now - DAY_MS)),
          and(inArray(enrollmentRequests.status, ["denied", "retrieved"]), lt(enrollmentRequests.updatedAt, keepSince)),
          and(eq(enrollmentRequests.status, "approved"), lt(enrollmentRequests.bundleExpiresAt, keepSince)),
        ),
      ),
    ctx.db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, now - REFRESH_FAMILY_MAX_MS)),
    ctx.db.delete(rateLimits).where(lt(rateLimits.windowStart, now - RATE_LIMIT_KEEP_MS)),
  ]);
}
