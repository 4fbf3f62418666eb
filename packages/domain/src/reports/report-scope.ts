import { and, type SQL, sql } from "drizzle-orm";
import { hostVisible, type Visibility } from "../fleet/visibility";

/** What a status or report covers: the caller's visible hosts, optionally one group's. */
export interface ReportScope {
  visibility: Visibility;
  groupId?: string | undefined;
}

/**
 * `"hosts"."id"`, qualified: drizzle renders a column of a single-table select
 * unqualified (`"id"`), which inside a correlated subquery would bind to the
 * subquery's own table.
 */
export const HOST_ID = sql.raw('"hosts"."id"');

/** WHERE over `hosts` (or over `hostId`, a qualified column) for a scope. */
export function scopeWhere(scope: ReportScope, hostId: SQL = HOST_ID): SQL | undefined {
  const where: SQL[] = [];
  const visible = hostVisible(scope.visibility, hostId);
  if (visible) where.push(visible);
  if (scope.groupId)
    where.push(
      sql`EXISTS (SELECT 1 FROM host_groups hg WHERE hg.host_id = ${hostId} AND hg.group_id = ${scope.groupId})`,
    );
  return where.length ? and(...where) : undefined;
}
