import type { OSV_FEED_NAMES } from "@fleetgate/contract";
import { eq, sql } from "drizzle-orm";
import { commitAudited } from "../audit/audit.service";
import { log } from "../log";
import { osvFeeds, osvImports, osvRanges, osvVulns } from "../schema";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";
import { OSV_LIMITS, OsvFeedError, readOsvArchive } from "./osv-feed";
import { cveIdsOf, intervalsOf, type OsvRecord } from "./osv-record";
import { osvSeverity } from "./osv-severity";

/** An OSV ecosystem directory the import knows (docs/reports.md "OSV import"). */
export type OsvFeed = (typeof OSV_FEED_NAMES)[number];

export interface OsvImportResult {
  importId: string;
  status: "succeeded" | "failed";
  records: number;
  ranges: number;
  error?: string;
}

const SUMMARY_MAX = 500;
/** Records written per D1 batch; rows per INSERT stay under D1's 100 bound parameters. */
const RECORDS_PER_BATCH = 200;
const VULN_ROWS_PER_INSERT = 16; // 6 columns: ≤ 100 bound parameters a statement (D1)
const RANGE_ROWS_PER_INSERT = 14;

function chunks<T>(list: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

/** Deletes every row of an import (chunked: an old generation can be large). */
export async function deleteOsvImportRows(ctx: Pick<DomainContext, "db">, importId: string): Promise<void> {
  for (const table of ["osv_ranges", "osv_vulns"] as const) {
    for (let round = 0; round < 10_000; round++) {
      const res = await ctx.db.run(
        sql`DELETE FROM ${sql.identifier(table)} WHERE rowid IN (SELECT rowid FROM ${sql.identifier(table)} WHERE import_id = ${importId} LIMIT 5000)`,
      );
      if ((res.meta.changes ?? 0) === 0) break;
    }
  }
}

/**
 * Imports one feed archive (`readOsvArchive`) as a new generation: its rows are written under a
 * new import id, and only when every record was read and written does the feed point at it (one
 * audited batch); the previous generation is then deleted. Any failure — a record that is too
 * large, not JSON or not OSV, a corrupt archive, a write error — deletes what was staged and
 * leaves the feed on its previous import: never a half-applied import.
 */
export async function importOsvArchive(
  ctx: DomainContext,
  feed: OsvFeed,
  source: string,
  body: ReadableStream<Uint8Array>,
  limits = OSV_LIMITS,
): Promise<OsvImportResult> {
  const importId = newId();
  await ctx.db.insert(osvImports).values({ id: importId, feed, source, status: "running", startedAt: ctx.now() });
  let records = 0;
  let ranges = 0;
  try {
    let pending: OsvRecord[] = [];
    const flush = async () => {
      const vulnRows = pending.map((r) => ({
        importId,
        id: r.id,
        cveIds: cveIdsOf(r),
        severity: osvSeverity(r),
        summary: r.summary ? r.summary.slice(0, SUMMARY_MAX) : null,
        modifiedAt: Number.isFinite(Date.parse(r.modified)) ? Date.parse(r.modified) : null,
      }));
      const rangeRows = pending.flatMap((r) => intervalsOf(r).map((i) => ({ importId, vulnId: r.id, ...i })));
      pending = [];
      const writes = [
        ...chunks(vulnRows, VULN_ROWS_PER_INSERT).map((c) => ctx.db.insert(osvVulns).values(c).onConflictDoNothing()),
        ...chunks(rangeRows, RANGE_ROWS_PER_INSERT).map((c) => ctx.db.insert(osvRanges).values(c)),
      ];
      const [first, ...rest] = writes;
      if (first) await ctx.db.batch([first, ...rest]);
      ranges += rangeRows.length;
    };
    for await (const record of readOsvArchive(body, limits)) {
      pending.push(record);
      records++;
      if (pending.length >= RECORDS_PER_BATCH) await flush();
    }
    await flush();
  } catch (err) {
    const error =
      err instanceof OsvFeedError ? err.message : `write failed: ${err instanceof Error ? err.message : String(err)}`;
    await deleteOsvImportRows(ctx, importId);
    await ctx.db
      .update(osvImports)
      .set({ status: "failed", finishedAt: ctx.now(), records, ranges, error: error.slice(0, 1000) })
      .where(eq(osvImports.id, importId));
    log("warn", "osv import failed", { requestId: ctx.requestId, feed, importId, error });
    return { importId, status: "failed", records, ranges, error };
  }
  const previous = await ctx.db.select().from(osvFeeds).where(eq(osvFeeds.feed, feed)).get();
  const now = ctx.now();
  await commitAudited(
    ctx,
    [
      ctx.db
        .insert(osvFeeds)
        .values({ feed, importId, importedAt: now })
        .onConflictDoUpdate({ target: osvFeeds.feed, set: { importId, importedAt: now } }),
      ctx.db
        .update(osvImports)
        .set({ status: "succeeded", finishedAt: now, records, ranges })
        .where(eq(osvImports.id, importId)),
    ],
    {
      action: "osv.import",
      targetType: "osv_feed",
      targetId: feed,
      detail: { import_id: importId, source, records, ranges },
    },
  );
  if (previous && previous.importId !== importId) await deleteOsvImportRows(ctx, previous.importId);
  return { importId, status: "succeeded", records, ranges };
}
