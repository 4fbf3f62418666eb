import { and, asc, sql } from "drizzle-orm";
import { hosts } from "../schema";
import type { DomainContext } from "../shared/context";
import { hostVisible, type Visibility } from "./visibility";

/** A resolved target host. */
export interface TargetHost {
  id: string;
  name: string;
}

const visibleWhere = (v: Visibility) => hostVisible(v, sql`${hosts.id}`) ?? sql`1 = 1`;

/** Registry lookup by name (ctrl-exec addresses hosts by registry name); hosts the caller may not see count as unknown. */
export async function resolveHostsByName(
  ctx: DomainContext,
  names: string[],
  v: Visibility,
): Promise<{ found: Map<string, TargetHost>; unknown: string[] }> {
  const unique = [...new Set(names)];
  const rows = unique.length
    ? await ctx.db
        .select({ id: hosts.id, name: hosts.name })
        .from(hosts)
        .where(and(sql`${hosts.name} IN (SELECT value FROM json_each(${JSON.stringify(unique)}))`, visibleWhere(v)))
        .all()
    : [];
  const found = new Map(rows.map((r) => [r.name, r]));
  return { found, unknown: unique.filter((n) => !found.has(n)) };
}

/** Lookup by id; ids that do not exist or that the caller may not see are returned as unknown. */
export async function resolveHostsByIds(
  ctx: DomainContext,
  ids: string[],
  v: Visibility,
): Promise<{ found: TargetHost[]; unknown: string[] }> {
  const unique = [...new Set(ids)];
  const rows = await ctx.db
    .select({ id: hosts.id, name: hosts.name })
    .from(hosts)
    .where(and(sql`${hosts.id} IN (SELECT value FROM json_each(${JSON.stringify(unique)}))`, visibleWhere(v)))
    .all();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    found: unique.flatMap((id) => {
      const r = byId.get(id);
      return r ? [r] : [];
    }),
    unknown: unique.filter((id) => !byId.has(id)),
  };
}

/** The most hosts one job may target, by ids (the contract's limit) or by a filter. */
export const MAX_JOB_HOSTS = 10_000;

/**
 * Hosts matching a filter: membership of a group and/or an admin-assigned tag (`key` or `key=value`;
 * never the labels an agent reports about itself, issue 11), in name order.
 * At most `MAX_JOB_HOSTS + 1` are read, so that the caller can refuse a filter matching too many.
 */
export async function resolveHostsByFilter(
  ctx: DomainContext,
  filter: { group_id?: string; tag?: string },
  v: Visibility,
): Promise<TargetHost[]> {
  const where = [visibleWhere(v)];
  if (filter.group_id) {
    where.push(
      sql`EXISTS (SELECT 1 FROM host_groups hg WHERE hg.host_id = ${hosts.id} AND hg.group_id = ${filter.group_id})`,
    );
  }
  if (filter.tag !== undefined) {
    const eqAt = filter.tag.indexOf("=");
    const key = eqAt < 0 ? filter.tag : filter.tag.slice(0, eqAt);
    const value = eqAt < 0 ? undefined : filter.tag.slice(eqAt + 1);
    where.push(
      value === undefined
        ? sql`EXISTS (SELECT 1 FROM json_each(${hosts.adminTags}) t WHERE t.key = ${key})`
        : sql`EXISTS (SELECT 1 FROM json_each(${hosts.adminTags}) t WHERE t.key = ${key} AND t.value = ${value})`,
    );
  }
  return ctx.db
    .select({ id: hosts.id, name: hosts.name })
    .from(hosts)
    .where(and(...where))
    .orderBy(asc(hosts.name))
    .limit(MAX_JOB_HOSTS + 1)
    .all();
}
