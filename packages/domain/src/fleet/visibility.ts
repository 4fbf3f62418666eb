import { type SQL, sql } from "drizzle-orm";
import type { IdentityRow } from "../identity/users.service";

/**
 * Which hosts a principal sees (linux-patch-manager.md §2): admins all; others
 * the hosts in one of their groups or in no group. Group membership is read
 * in SQL (a subquery), so it is current and never hits D1's bound-parameter cap.
 */
export type Visibility = { kind: "all" } | { kind: "member"; identityId: string };

export const visibilityOf = (identity: Pick<IdentityRow, "id" | "role">): Visibility =>
  identity.role === "admin" ? { kind: "all" } : { kind: "member", identityId: identity.id };

/**
 * The narrowest scope, for callers without an identity (anonymous ctrl-exec
 * status and discovery, when an admin opened them): no identity has the empty
 * id, so only ungrouped hosts are visible (docs/auth.md, "Who sees which hosts").
 */
export const UNGROUPED_ONLY: Visibility = { kind: "member", identityId: "" };

/** SQL condition "host `hostIdColumn` is visible", or undefined for admins. */
export function hostVisible(v: Visibility, hostIdColumn: SQL): SQL | undefined {
  if (v.kind === "all") return undefined;
  return sql`(NOT EXISTS (SELECT 1 FROM host_groups hg WHERE hg.host_id = ${hostIdColumn})
    OR EXISTS (SELECT 1 FROM host_groups hg WHERE hg.host_id = ${hostIdColumn}
      AND hg.group_id IN (SELECT ig.group_id FROM identity_groups ig WHERE ig.identity_id = ${v.identityId})))`;
}

/** Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`. */
export const likeContains = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
