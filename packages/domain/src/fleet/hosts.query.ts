import type { HostFilters } from "@fleetgate/contract";
import { and, asc, count, desc, eq, gt, type SQL, sql } from "drizzle-orm";
import { healthCheckStatusSql } from "../patching/health-checks.service";
import { type CrlStatus, crlStatusSql } from "../reports/host-crl.service";
import { hosts } from "../schema";
import type { DomainContext } from "../shared/context";
import { hostVisible, likeContains, type Visibility } from "./visibility";

/** One host as the list and the inventory export show it. */
export interface HostListRow {
  id: string;
  name: string;
  fqdn: string;
  ipAddress: string;
  displayName: string;
  osFamily: string;
  osName: string;
  arch: string;
  agentVersion: string;
  healthStatus: "pending" | "healthy" | "degraded" | "unreachable";
  online: boolean;
  lastSeenAt: number | null;
  patchesMissing: number;
  /** null (no enabled check has a result), all_healthy or some_unhealthy. */
  healthCheckStatus: "all_healthy" | "some_unhealthy" | null;
  crlStatus: CrlStatus;
  groups: string;
  registeredAt: number;
}

/**
 * The host id qualified with its table: inside a correlated subquery drizzle's plain `"id"`
 * would name the subquery's own table (health_checks.id, groups.id), not the host.
 */
const HOST_ID = sql`"hosts"."id"`;

const SORT_COLUMNS = {
  fqdn: hosts.fqdn,
  display_name: hosts.displayName,
  ip_address: hosts.ipAddress,
  os: hosts.osName,
  health_status: hosts.healthStatus,
  agent_version: hosts.agentVersion,
  patches_missing: hosts.patchesMissing,
  // COALESCE: the keyset cursor of iterateHosts needs a non-null sort value.
  health_check_status: sql<string>`COALESCE(${healthCheckStatusSql(HOST_ID)}, '')`,
  crl_status: crlStatusSql(HOST_ID),
} as const;

const columns = {
  id: hosts.id,
  name: hosts.name,
  fqdn: hosts.fqdn,
  ipAddress: hosts.ipAddress,
  displayName: hosts.displayName,
  osFamily: hosts.osFamily,
  osName: hosts.osName,
  arch: hosts.arch,
  agentVersion: hosts.agentVersion,
  healthStatus: hosts.healthStatus,
  online: hosts.online,
  lastSeenAt: hosts.lastSeenAt,
  patchesMissing: hosts.patchesMissing,
  healthCheckStatus: healthCheckStatusSql(HOST_ID),
  crlStatus: crlStatusSql(HOST_ID),
  groups: sql<string>`COALESCE((SELECT group_concat(g.name, '; ') FROM host_groups hg JOIN groups g ON g.id = hg.group_id WHERE hg.host_id = ${HOST_ID}), '')`,
  registeredAt: hosts.registeredAt,
};

/** The WHERE of the host list: the filters plus what the caller may see. */
function hostWhere(f: HostFilters, v: Visibility): SQL[] {
  const where: SQL[] = [];
  const visible = hostVisible(v, sql`${hosts.id}`);
  if (visible) where.push(visible);
  if (f.search) {
    const p = likeContains(f.search);
    where.push(
      sql`(${hosts.name} LIKE ${p} ESCAPE '\\' OR ${hosts.fqdn} LIKE ${p} ESCAPE '\\' OR ${hosts.displayName} LIKE ${p} ESCAPE '\\' OR ${hosts.ipAddress} LIKE ${p} ESCAPE '\\')`,
    );
  }
  if (f.health_status) where.push(eq(hosts.healthStatus, f.health_status));
  if (f.patches_missing === "missing") where.push(gt(hosts.patchesMissing, 0));
  if (f.patches_missing === "uptodate") where.push(eq(hosts.patchesMissing, 0));
  if (f.group_id)
    where.push(
      sql`EXISTS (SELECT 1 FROM host_groups hg WHERE hg.host_id = ${hosts.id} AND hg.group_id = ${f.group_id})`,
    );
  if (f.os_family) where.push(eq(hosts.osFamily, f.os_family));
  return where;
}

function ordering(f: HostFilters) {
  const col = SORT_COLUMNS[f.sort_by ?? "fqdn"];
  const dir = f.order ?? "asc";
  return { col, dir, orderBy: dir === "asc" ? [asc(col), asc(hosts.id)] : [desc(col), desc(hosts.id)] };
}

/** One page of the host list with the total (linux-patch-manager.md §4 `GET /hosts`). */
export async function listHosts(
  ctx: DomainContext,
  f: HostFilters & { limit: number; offset: number },
  v: Visibility,
): Promise<{ hosts: HostListRow[]; total: number }> {
  const where = and(...hostWhere(f, v));
  const { orderBy } = ordering(f);
  const [rows, total] = await Promise.all([
    ctx.db
      .select(columns)
      .from(hosts)
      .where(where)
      .orderBy(...orderBy)
      .limit(f.limit)
      .offset(f.offset)
      .all(),
    ctx.db.select({ n: count() }).from(hosts).where(where).get(),
  ]);
  return { hosts: rows, total: total?.n ?? 0 };
}

/**
 * Every host matching the filters, in list order, `pageSize` rows per D1 query.
 * Keyset pagination on (sort column, id): each page costs the same however deep
 * the export goes, so 100,000 hosts stream in bounded memory.
 */
export async function* iterateHosts(
  ctx: DomainContext,
  f: HostFilters,
  v: Visibility,
  pageSize = 1000,
): AsyncGenerator<HostListRow[]> {
  const base = hostWhere(f, v);
  const { col, dir, orderBy } = ordering(f);
  let cursor: { value: string | number; id: string } | undefined;
  for (;;) {
    const where = [...base];
    if (cursor) {
      const op = sql.raw(dir === "asc" ? ">" : "<");
      // Raw SQL: the sort key may be a computed expression (health_check_status), not a column.
      where.push(sql`(${col} ${op} ${cursor.value} OR (${col} = ${cursor.value} AND ${hosts.id} ${op} ${cursor.id}))`);
    }
    const rows = await ctx.db
      .select({ ...columns, sortValue: col })
      .from(hosts)
      .where(and(...where))
      .orderBy(...orderBy)
      .limit(pageSize)
      .all();
    if (rows.length === 0) return;
    yield rows.map(({ sortValue: _, ...r }) => r);
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    cursor = { value: last.sortValue, id: last.id };
  }
}
