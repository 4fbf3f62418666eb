import { sql } from "drizzle-orm";
import { loadSettings } from "../settings/settings.service";
import type { DomainContext } from "../shared/context";

/** The OSV import status of one feed, from what the imports wrote (`osv_imports`, `osv_feeds`). */
export interface OsvFeedStatus {
  feed: string;
  /** Whether the `osv` setting lists the feed (a feed no longer listed keeps its last import). */
  configured: boolean;
  /** The latest attempt: when it started, its status, where it read from, when it ended and why it failed. */
  lastAttempt: {
    startedAt: number;
    status: "running" | "succeeded" | "failed";
    source: string;
    finishedAt: number | null;
    error: string | null;
  } | null;
  /** When the latest successful import finished. */
  lastSuccessAt: number | null;
  /** The import in force (the one the vulnerability report matches against): when and how many records. */
  inForce: { importedAt: number; records: number; ranges: number } | null;
}

export interface OsvStatus {
  enabled: boolean;
  refreshHours: number;
  feeds: OsvFeedStatus[];
}

interface Row {
  feed: string;
  startedAt: number | null;
  status: "running" | "succeeded" | "failed" | null;
  source: string | null;
  finishedAt: number | null;
  error: string | null;
  lastSuccessAt: number | null;
  importedAt: number | null;
  records: number | null;
  ranges: number | null;
}

/**
 * Per feed (the configured ones and any with an import): the latest attempt, the latest success and
 * the import in force — for `GET /vulnerabilities/feeds`. Configured feeds first, in setting order.
 */
export async function osvFeedStatus(ctx: Pick<DomainContext, "db" | "keys">): Promise<OsvStatus> {
  const { osv } = await loadSettings(ctx);
  const rows = await ctx.db.all<Row>(
    sql`WITH names AS (SELECT feed FROM osv_imports UNION SELECT feed FROM osv_feeds),
          latest AS (
            SELECT feed, started_at, status, source, finished_at, error,
                   ROW_NUMBER() OVER (PARTITION BY feed ORDER BY started_at DESC, id DESC) AS n
            FROM osv_imports)
        SELECT n.feed AS feed, l.started_at AS startedAt, l.status AS status, l.source AS source,
               l.finished_at AS finishedAt, l.error AS error,
               (SELECT MAX(finished_at) FROM osv_imports s WHERE s.feed = n.feed AND s.status = 'succeeded') AS lastSuccessAt,
               f.imported_at AS importedAt, i.records AS records, i.ranges AS ranges
          FROM names n
          LEFT JOIN latest l ON l.feed = n.feed AND l.n = 1
          LEFT JOIN osv_feeds f ON f.feed = n.feed
          LEFT JOIN osv_imports i ON i.id = f.import_id
         ORDER BY n.feed`,
  );
  const byFeed = new Map(rows.map((r) => [r.feed, r]));
  const names = [...osv.feeds, ...rows.map((r) => r.feed).filter((f) => !(osv.feeds as readonly string[]).includes(f))];
  const feeds = names.map((feed): OsvFeedStatus => {
    const r = byFeed.get(feed);
    return {
      feed,
      configured: (osv.feeds as readonly string[]).includes(feed),
      lastAttempt:
        r?.startedAt != null && r.status && r.source != null
          ? { startedAt: r.startedAt, status: r.status, source: r.source, finishedAt: r.finishedAt, error: r.error }
          : null,
      lastSuccessAt: r?.lastSuccessAt ?? null,
      inForce:
        r?.importedAt != null ? { importedAt: r.importedAt, records: r.records ?? 0, ranges: r.ranges ?? 0 } : null,
    };
  });
  return { enabled: osv.enabled, refreshHours: osv.refresh_hours, feeds };
}
