import { and, desc, eq, gt, lt } from "drizzle-orm";
import { isLoopbackHost, refuseTarget } from "../external-jwt/outbound";
import { osvImports } from "../schema";
import { loadSettings } from "../settings/settings.service";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";
import { deleteOsvImportRows, importOsvArchive, type OsvFeed, type OsvImportResult } from "./osv-import.service";

/** An import still `running` after this long is taken as dead (its isolate ended) and may be retried. */
const RUNNING_STALE_MS = 30 * 60_000;
/** Time allowed until the feed's response headers arrive (the body then streams without a deadline). */
const CONNECT_TIMEOUT_MS = 30_000;

/** Where a feed's archive is read from: `<base>/<feed>/all.zip` over https, or an object in R2. */
export function feedLocation(baseUrl: string, feed: OsvFeed): { kind: "r2"; key: string } | { kind: "url"; url: URL } {
  if (baseUrl.startsWith("r2://")) return { kind: "r2", key: `${baseUrl.slice(5)}/${feed}/all.zip` };
  return { kind: "url", url: new URL(`${baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(feed)}/all.zip`) };
}

async function failedAttempt(
  ctx: DomainContext,
  feed: OsvFeed,
  source: string,
  error: string,
): Promise<OsvImportResult> {
  const id = newId();
  const now = ctx.now();
  await ctx.db
    .insert(osvImports)
    .values({ id, feed, source, status: "failed", startedAt: now, finishedAt: now, error: error.slice(0, 1000) });
  return { importId: id, status: "failed", records: 0, ranges: 0, error };
}

/** Opens one feed and imports it; a source that cannot be read is a failed attempt, recorded like any other. */
export async function refreshOsvFeed(
  ctx: DomainContext,
  baseUrl: string,
  feed: OsvFeed,
  fetcher: typeof fetch = fetch,
): Promise<OsvImportResult> {
  const where = feedLocation(baseUrl, feed);
  if (where.kind === "r2") {
    const source = `r2://${where.key}`;
    const file = await ctx.files.get(where.key);
    if (!file) return failedAttempt(ctx, feed, source, `${source}: no such object`);
    return importOsvArchive(ctx, feed, source, file.body);
  }
  const source = where.url.href;
  const refused = refuseTarget(where.url, { allowLoopback: ctx.allowLoopbackIdp === true });
  if (refused && !(ctx.allowLoopbackIdp && isLoopbackHost(where.url.hostname)))
    return failedAttempt(ctx, feed, source, `${where.url.origin}: ${refused}`);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), CONNECT_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetcher(source, { redirect: "manual", signal: abort.signal });
  } catch (err) {
    return failedAttempt(
      ctx,
      feed,
      source,
      `GET ${source} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    clearTimeout(timer);
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    return failedAttempt(ctx, feed, source, `GET ${source} answered ${res.status}`);
  }
  return importOsvArchive(ctx, feed, source, res.body);
}

/**
 * The cron sweep `reports.osv_refresh`: when the `osv` setting is enabled, imports the configured
 * feed whose last attempt is the oldest, once that attempt is `refresh_hours` old (a failed attempt
 * waits as long as a successful one; an attempt still running for less than 30 min is left alone).
 * One feed per run bounds the time a cron invocation spends.
 */
export async function refreshOsvData(
  ctx: DomainContext,
  fetcher: typeof fetch = fetch,
): Promise<OsvImportResult | null> {
  const { osv } = await loadSettings(ctx);
  const now = ctx.now();
  // Imports whose isolate ended mid-way: their staged rows go, the attempt is recorded as failed.
  const abandoned = await ctx.db
    .select({ id: osvImports.id })
    .from(osvImports)
    .where(and(eq(osvImports.status, "running"), lt(osvImports.startedAt, now - RUNNING_STALE_MS)))
    .all();
  for (const { id } of abandoned) {
    await deleteOsvImportRows(ctx, id);
    await ctx.db
      .update(osvImports)
      .set({ status: "failed", finishedAt: now, error: "abandoned: the import did not finish" })
      .where(eq(osvImports.id, id));
  }
  if (!osv.enabled || osv.feeds.length === 0) return null;
  let due: { feed: OsvFeed; last: number } | undefined;
  for (const feed of osv.feeds) {
    const running = await ctx.db
      .select({ id: osvImports.id })
      .from(osvImports)
      .where(
        and(
          eq(osvImports.feed, feed),
          eq(osvImports.status, "running"),
          gt(osvImports.startedAt, now - RUNNING_STALE_MS),
        ),
      )
      .get();
    if (running) continue;
    const last = await ctx.db
      .select({ at: osvImports.startedAt })
      .from(osvImports)
      .where(eq(osvImports.feed, feed))
      .orderBy(desc(osvImports.startedAt))
      .get();
    const at = last?.at ?? 0;
    if (now - at < osv.refresh_hours * 3600_000) continue;
    if (!due || at < due.last) due = { feed, last: at };
  }
  if (!due) return null;
  return refreshOsvFeed(ctx, osv.base_url, due.feed, fetcher);
}
