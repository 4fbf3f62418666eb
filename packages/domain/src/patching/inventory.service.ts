import type { InstalledPackage, Inventory, InventoryDiff, PendingUpdate } from "@fleetgate/contract/agent";
import { packageSetHash } from "@fleetgate/contract/patching";
import { and, asc, count, eq, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { commitAudited } from "../audit/audit.service";
import type { Database } from "../db";
import { getVisibleHost } from "../fleet/hosts.service";
import type { Visibility } from "../fleet/visibility";
import { logAt } from "../log";
import { hostPackages, hostPatchState, hosts, hostUpdates } from "../schema";
import type { DomainContext } from "../shared/context";

export type HostPatchStateRow = typeof hostPatchState.$inferSelect;
export type HostPackageRow = typeof hostPackages.$inferSelect;
export type HostUpdateRow = typeof hostUpdates.$inferSelect;

/** What the agent sent: a whole inventory or a diff against the base the server acknowledged. */
export type InventoryReport = { kind: "full"; inventory: Inventory } | { kind: "diff"; diff: InventoryDiff };

/** Stored (the hash the agent diffs against next) or not: the diff's base is not what the server holds. */
export type IngestOutcome = { stored: true; hash: string } | { stored: false; reason: string };

/** Rows per INSERT … SELECT FROM json_each(?): one bound parameter per statement, far below D1's size caps. */
const CHUNK = 1000;
const key = (p: { name: string; arch: string }) => `${p.name}:${p.arch}`;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** The hash of the package set the server holds for a host (null: it never reported). */
export async function hostInventoryHash(ctx: Pick<DomainContext, "db">, hostId: string): Promise<string | null> {
  const rows = await inventoryHashQuery(ctx.db, hostId);
  return rows[0]?.hash ?? null;
}

/** The read of `hostInventoryHash` (at most one row), for a caller's batch. */
export function inventoryHashQuery(db: Database, hostId: string) {
  return db
    .select({ hash: hostPatchState.inventoryHash })
    .from(hostPatchState)
    .where(eq(hostPatchState.hostId, hostId))
    .limit(1);
}

function insertPackages(db: Database, hostId: string, packages: InstalledPackage[]): BatchItem<"sqlite">[] {
  return chunks(packages).map((part) =>
    db
      .insert(hostPackages)
      .select(
        sql`SELECT ${hostId}, json_extract(value, '$.name'), json_extract(value, '$.arch'),
               json_extract(value, '$.version'), json_extract(value, '$.source'),
               json_extract(value, '$.source_version'), json_extract(value, '$.status')
            FROM json_each(${JSON.stringify(part)}) WHERE true`,
      )
      .onConflictDoNothing(),
  );
}

function insertUpdates(
  db: Database,
  hostId: string,
  updates: PendingUpdate[],
  sourceOf: (u: PendingUpdate) => string | null,
  now: number,
): BatchItem<"sqlite">[] {
  const rows = updates.map((u) => ({
    name: u.name,
    arch: u.arch,
    current_version: u.current_version,
    candidate_version: u.candidate_version,
    source: sourceOf(u),
    security: String(u.security),
    cve_ids: JSON.stringify(u.cve_ids),
    origins: JSON.stringify(u.origins),
  }));
  return chunks(rows).map((part) =>
    db
      .insert(hostUpdates)
      .select(
        sql`SELECT ${hostId}, json_extract(value, '$.name'), json_extract(value, '$.arch'),
               json_extract(value, '$.current_version'), json_extract(value, '$.candidate_version'),
               json_extract(value, '$.source'), json_extract(value, '$.security'),
               json_extract(value, '$.cve_ids'), json_extract(value, '$.origins'), ${now}
            FROM json_each(${JSON.stringify(part)}) WHERE true`,
      )
      // Still pending: refreshed, but first_seen_at is kept (the compliance grace period counts from it).
      .onConflictDoUpdate({
        target: [hostUpdates.hostId, hostUpdates.name, hostUpdates.arch],
        set: {
          currentVersion: sql`excluded.current_version`,
          candidateVersion: sql`excluded.candidate_version`,
          source: sql`excluded.source`,
          security: sql`excluded.security`,
          cveIds: sql`excluded.cve_ids`,
          origins: sql`excluded.origins`,
        },
      }),
  );
}

type Facts = Omit<Inventory, "packages">;

/** Pending updates, the host's facts and its `patches_missing` count, replaced as a whole. */
function factStatements(
  db: Database,
  hostId: string,
  facts: Facts,
  packages: InstalledPackage[],
  hash: string,
  now: number,
): BatchItem<"sqlite">[] {
  const sources = new Map(packages.map((p) => [key(p), p.source]));
  const state = {
    inventoryHash: hash,
    os: facts.os,
    packageCount: packages.length,
    updateCount: facts.updates.length,
    securityUpdateCount: facts.updates.filter((u) => u.security === true).length,
    rebootRequired: facts.reboot_required,
    rebootReasons: facts.reboot_reasons,
    removals: facts.removals,
    listsAgeSecs: facts.lists_age_secs,
    collectedAt: facts.collected_at,
    reportedAt: now,
  };
  return [
    // Updates no longer pending go; the others are upserted (keeping when each was first seen).
    db
      .delete(hostUpdates)
      .where(
        and(
          eq(hostUpdates.hostId, hostId),
          sql`(${hostUpdates.name} || ':' || ${hostUpdates.arch}) NOT IN (SELECT value FROM json_each(${JSON.stringify(facts.updates.map(key))}))`,
        ),
      ),
    ...insertUpdates(db, hostId, facts.updates, (u) => sources.get(key(u)) ?? null, now),
    db
      .insert(hostPatchState)
      .values({ hostId, ...state })
      .onConflictDoUpdate({ target: hostPatchState.hostId, set: state }),
    db.update(hosts).set({ patchesMissing: facts.updates.length }).where(eq(hosts.id, hostId)),
  ];
}

async function commit(db: Database, statements: BatchItem<"sqlite">[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/**
 * Stores what an agent reported (called by the host's channel, which serializes a host's
 * reports). A full inventory replaces everything; a diff applies only when its `base` is the
 * hash the server holds and the result hashes to the diff's `hash` — otherwise nothing is
 * written and the agent is asked for the whole inventory. One batch: never half-applied.
 */
export async function ingestInventory(
  ctx: Pick<DomainContext, "db" | "logLevel">,
  hostId: string,
  report: InventoryReport,
  now: number,
): Promise<IngestOutcome> {
  const { db, logLevel } = ctx;
  const host = await db.select({ id: hosts.id }).from(hosts).where(eq(hosts.id, hostId)).get();
  if (!host) return { stored: false, reason: "unknown host" };
  if (report.kind === "full") {
    const { packages, ...facts } = report.inventory;
    const unique = [...new Map(packages.map((p) => [key(p), p])).values()];
    const hash = await packageSetHash(unique);
    await commit(db, [
      db.delete(hostPackages).where(eq(hostPackages.hostId, hostId)),
      ...insertPackages(db, hostId, unique),
      ...factStatements(db, hostId, facts, unique, hash, now),
    ]);
    return { stored: true, hash };
  }
  const { diff } = report;
  const held = await hostInventoryHash(ctx, hostId);
  if (held !== diff.base) return { stored: false, reason: "base mismatch" };
  const current = await db.select().from(hostPackages).where(eq(hostPackages.hostId, hostId)).all();
  const merged = new Map(
    current.map((p): [string, InstalledPackage] => [
      key(p),
      {
        name: p.name,
        arch: p.arch,
        version: p.version,
        source: p.source,
        source_version: p.sourceVersion,
        status: p.status,
      },
    ]),
  );
  for (const k of diff.removed) merged.delete(k);
  for (const p of diff.upserted) merged.set(key(p), p);
  const packages = [...merged.values()];
  const hash = await packageSetHash(packages);
  if (hash !== diff.hash) {
    logAt(logLevel, "warn", "inventory diff does not reproduce the agent's hash; asking for the whole inventory", {
      host_id: hostId,
    });
    return { stored: false, reason: "hash mismatch" };
  }
  const touched = [...new Set([...diff.removed, ...diff.upserted.map(key)])];
  const { base: _b, hash: _h, upserted: _u, removed: _r, ...facts } = diff;
  await commit(db, [
    ...chunks(touched).map((part) =>
      db
        .delete(hostPackages)
        .where(
          and(
            eq(hostPackages.hostId, hostId),
            sql`(${hostPackages.name} || ':' || ${hostPackages.arch}) IN (SELECT value FROM json_each(${JSON.stringify(part)}))`,
          ),
        ),
    ),
    ...insertPackages(db, hostId, diff.upserted),
    ...factStatements(db, hostId, facts, packages, hash, now),
  ]);
  return { stored: true, hash };
}

// ---- reads ------------------------------------------------------------------

export interface PageQuery {
  limit: number;
  offset: number;
}

export interface InventoryPage<T> {
  rows: T[];
  total: number;
  state: HostPatchStateRow | null;
}

async function patchState(ctx: DomainContext, hostId: string): Promise<HostPatchStateRow | null> {
  return (await ctx.db.select().from(hostPatchState).where(eq(hostPatchState.hostId, hostId)).get()) ?? null;
}

/** A host's installed packages (name order), optionally those whose name contains `search`. */
export async function listHostPackages(
  ctx: DomainContext,
  hostId: string,
  v: Visibility,
  q: PageQuery & { search?: string },
): Promise<InventoryPage<HostPackageRow>> {
  await getVisibleHost(ctx, hostId, v);
  const where = and(
    eq(hostPackages.hostId, hostId),
    q.search ? sql`instr(${hostPackages.name}, ${q.search}) > 0` : undefined,
  );
  const [rows, total, state] = await Promise.all([
    ctx.db
      .select()
      .from(hostPackages)
      .where(where)
      .orderBy(asc(hostPackages.name), asc(hostPackages.arch))
      .limit(q.limit)
      .offset(q.offset)
      .all(),
    ctx.db.select({ n: count() }).from(hostPackages).where(where).get(),
    patchState(ctx, hostId),
  ]);
  return { rows, total: total?.n ?? 0, state };
}

const securityRank: SQL = sql`CASE ${hostUpdates.security} WHEN 'true' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END`;

/** A host's pending updates: security first (then unknown, then the rest), by name. */
export async function listHostUpdates(
  ctx: DomainContext,
  hostId: string,
  v: Visibility,
  q: PageQuery & { security?: "true" | "false" | "unknown" },
): Promise<InventoryPage<HostUpdateRow>> {
  await getVisibleHost(ctx, hostId, v);
  const where = and(eq(hostUpdates.hostId, hostId), q.security ? eq(hostUpdates.security, q.security) : undefined);
  const [rows, total, state] = await Promise.all([
    ctx.db
      .select()
      .from(hostUpdates)
      .where(where)
      .orderBy(securityRank, asc(hostUpdates.name), asc(hostUpdates.arch))
      .limit(q.limit)
      .offset(q.offset)
      .all(),
    ctx.db.select({ n: count() }).from(hostUpdates).where(where).get(),
    patchState(ctx, hostId),
  ]);
  return { rows, total: total?.n ?? 0, state };
}

/**
 * `POST /hosts/{id}/refresh`: asks the host's agent for a fresh inventory. Audited; the
 * agent reports on its next connect anyway when it is offline now (`delivered: false`).
 */
export async function requestInventoryRefresh(
  ctx: DomainContext,
  hostId: string,
  v: Visibility,
): Promise<{ delivered: boolean }> {
  const host = await getVisibleHost(ctx, hostId, v);
  let delivered = false;
  try {
    delivered = await ctx.hostChannels.refreshInventory(host.id);
  } catch (err) {
    logAt(ctx.logLevel, "warn", "asking the agent for its inventory failed", { host_id: host.id, error: String(err) });
  }
  await commitAudited(ctx, [], {
    action: "host.inventory_refresh",
    targetType: "host",
    targetId: host.id,
    detail: { delivered },
  });
  return { delivered };
}
