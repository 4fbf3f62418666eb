import { eq, sql } from "drizzle-orm";
import type { Database } from "../db";
import type { IdentityRow } from "../identity/users.service";
import { hosts, identities, identityGroups, nonces } from "../schema";
import { groupIdsOf, oncePerClient } from "../shared/prepared";
import type { HostRow } from "./host-records";

/**
 * The two statements of an agent proof's second step, built once per drizzle client (i.e. per
 * D1 binding and isolate) and only bound per connect: spending the proof's `jti`, and the host
 * with its identity and the identity's groups (a JSON array) in one read. Building them with
 * drizzle on every connect (nested subqueries) was ≈ 8 % of a connect's CPU in the isolate.
 */
function build(db: Database) {
  return {
    spend: db
      .insert(nonces)
      .values({ key: sql.placeholder("key"), expiresAt: sql.placeholder("expiresAt") })
      .onConflictDoNothing()
      .prepare(),
    host: db
      .select({
        host: hosts,
        identity: identities,
        groupIdsJson: sql<string>`(SELECT json_group_array(${identityGroups.groupId}) FROM ${identityGroups} WHERE ${identityGroups.identityId} = ${hosts.identityId})`,
      })
      .from(hosts)
      .leftJoin(identities, eq(identities.id, hosts.identityId))
      .where(eq(hosts.id, sql.placeholder("hostId")))
      .limit(1)
      .prepare(),
  };
}

const statements = oncePerClient(build);

/** Spends `key` (single use: the first INSERT wins); true when this call spent it. */
export async function spendNonce(db: Database, key: string, expiresAt: number): Promise<boolean> {
  const res = await statements(db).spend.run({ key, expiresAt });
  return res.meta.changes === 1;
}

export interface HostWithIdentity {
  host: HostRow;
  identity: IdentityRow | undefined;
  groups: string[];
}

/** The host, its identity and the identity's groups in one D1 read; undefined when the host does not exist. */
export async function hostWithIdentity(db: Database, hostId: string): Promise<HostWithIdentity | undefined> {
  const row = await statements(db).host.get({ hostId });
  if (!row) return undefined;
  return {
    host: row.host,
    identity: row.identity ?? undefined,
    groups: row.identity ? groupIdsOf(row.groupIdsJson) : [],
  };
}
