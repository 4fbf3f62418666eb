import { and, type SQL, sql } from "drizzle-orm";
import { hostVisible, type Visibility } from "../fleet/visibility";
import { hosts } from "../schema";

/** What a status or report covers: the caller's visible hosts, optionally one group's. */
export interface ReportScope {
  visibility: Visibility;
  groupId?: string | undefined;
}

/** WHERE over `hosts` for a scope. */
export function scopeWhere(scope: ReportScope, hostId: SQL = sql`${hosts.id}`): SQL | undefined {
  const where: SQL[] = [];
  const visible = hostVisible(scope.visibility, hostId);
  if (visible) where.push(visible);
  if (scope.groupId)
    where.push(
      sql`EXISTS (SELECT 1 FROM host_groups hg WHERE hg.host_id = ${hostId} AND hg.group_id = ${scope.groupId})`,
    );
  return where.length ? and(...where) : undefined;
}
