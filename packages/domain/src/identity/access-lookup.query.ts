import { eq, getTableColumns, getTableName, sql } from "drizzle-orm";
import type { Database } from "../db";
import { identities, identityGroups, mfa, refreshTokens } from "../schema";
import { groupIdsOf, oncePerClient } from "../shared/prepared";
import type { IdentityRow } from "./users.service";

/**
 * What an access token's authentication reads, in ONE statement: the identity row, its groups
 * (a JSON array), whether the token's sign-in session (refresh family) was ended, and whether
 * the identity has verified MFA (so `GET /users/me` needs no second read).
 */
function build(db: Database) {
  // Qualified by hand: in a single-table select drizzle renders the table's columns unqualified,
  // and inside a subquery a bare "id" would name the subquery's own table (mfa has an `id`).
  const identityId = sql`${sql.identifier(getTableName(identities))}.${sql.identifier(identities.id.name)}`;
  return db
    .select({
      ...getTableColumns(identities),
      groupIdsJson: sql<string>`(SELECT json_group_array(${identityGroups.groupId}) FROM ${identityGroups} WHERE ${identityGroups.identityId} = ${identityId})`,
      sessionEnded: sql<number>`EXISTS (SELECT 1 FROM ${refreshTokens} WHERE ${refreshTokens.familyId} = ${sql.placeholder("sid")} AND ${refreshTokens.revokedAt} IS NOT NULL)`,
      mfaVerified: sql<number>`EXISTS (SELECT 1 FROM ${mfa} WHERE ${mfa.identityId} = ${identityId} AND ${mfa.verified} = 1)`,
    })
    .from(identities)
    .where(eq(identities.id, sql.placeholder("sub")))
    .limit(1)
    .prepare();
}

/** Built once per client: drizzle's query building was ≈ 14 % of an authenticated request's CPU. */
const statement = oncePerClient(build);

export interface AccessLookup {
  identity: IdentityRow;
  groups: string[];
  sessionEnded: boolean;
  mfaEnabled: boolean;
}

/** One D1 round trip: identity, groups, session ended, MFA state; undefined when the identity does not exist. */
export async function lookupAccessIdentity(
  db: Database,
  sub: string,
  sid: string | undefined,
): Promise<AccessLookup | undefined> {
  const row = await statement(db).get({ sub, sid: sid ?? "" });
  if (!row) return undefined;
  const { groupIdsJson, sessionEnded, mfaVerified, ...identity } = row;
  return {
    identity,
    groups: groupIdsOf(groupIdsJson),
    sessionEnded: Number(sessionEnded) === 1,
    mfaEnabled: Number(mfaVerified) === 1,
  };
}
