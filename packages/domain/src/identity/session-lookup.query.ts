import { eq, sql } from "drizzle-orm";
import type { Database } from "../db";
import { apiSessions, identities, identityGroups } from "../schema";
import { groupIdsOf, oncePerClient } from "../shared/prepared";
import type { ApiSessionRow } from "./api-sessions.service";
import type { IdentityRow } from "./users.service";

/**
 * What a Ziti `zt-session` authentication reads, in ONE statement: the API session by its
 * token hash, its identity and the identity's groups (a JSON array).
 */
function build(db: Database) {
  return db
    .select({
      session: apiSessions,
      identity: identities,
      groupIdsJson: sql<string>`(SELECT json_group_array(${identityGroups.groupId}) FROM ${identityGroups} WHERE ${identityGroups.identityId} = ${identities.id})`,
    })
    .from(apiSessions)
    .innerJoin(identities, eq(identities.id, apiSessions.identityId))
    .where(eq(apiSessions.tokenHash, sql.placeholder("tokenHash")))
    .limit(1)
    .prepare();
}

const statement = oncePerClient(build);

export interface SessionLookup {
  session: ApiSessionRow;
  identity: IdentityRow;
  groups: string[];
}

/** One D1 round trip: the session of a token hash, its identity and groups; undefined when unknown. */
export async function lookupApiSession(db: Database, tokenHash: string): Promise<SessionLookup | undefined> {
  const row = await statement(db).get({ tokenHash });
  if (!row) return undefined;
  return { session: row.session, identity: row.identity, groups: groupIdsOf(row.groupIdsJson) };
}
