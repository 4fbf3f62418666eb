import { eq, sql } from "drizzle-orm";
import type { Database } from "../db";
import { apiSessions, identities, identityGroups } from "../schema";
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

/** Built once per drizzle client (per D1 binding and isolate), bound per request. */
const prepared = new WeakMap<Database, ReturnType<typeof build>>();

export interface SessionLookup {
  session: ApiSessionRow;
  identity: IdentityRow;
  groups: string[];
}

/** One D1 round trip: the session of a token hash, its identity and groups; undefined when unknown. */
export async function lookupApiSession(db: Database, tokenHash: string): Promise<SessionLookup | undefined> {
  let query = prepared.get(db);
  if (!query) {
    query = build(db);
    prepared.set(db, query);
  }
  const row = await query.get({ tokenHash });
  if (!row) return undefined;
  const parsed: unknown = JSON.parse(row.groupIdsJson);
  const groups = Array.isArray(parsed) ? parsed.filter((g): g is string => typeof g === "string") : [];
  return { session: row.session, identity: row.identity, groups };
}
