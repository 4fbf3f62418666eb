import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db";
import type { IdentityRow } from "../identity/users.service";
import { authenticators, enrollments, identities } from "../schema";
import { oncePerClient } from "../shared/prepared";

/**
 * What a Ziti `ott` enrollment reads before it issues, in ONE statement: the enrollment of a
 * token hash, its identity, and whether that identity already has a certificate authenticator.
 */
function build(db: Database) {
  return db
    .select({
      enrollment: enrollments,
      identity: identities,
      hasCertAuthenticator: sql<number>`EXISTS (SELECT 1 FROM ${authenticators} WHERE ${and(
        eq(authenticators.identityId, identities.id),
        eq(authenticators.method, "cert"),
      )})`,
    })
    .from(enrollments)
    .innerJoin(identities, eq(identities.id, enrollments.identityId))
    .where(eq(enrollments.tokenHash, sql.placeholder("tokenHash")))
    .limit(1)
    .prepare();
}

/** Built once per client (building the three-query read batch was the largest drizzle cost of an enrollment). */
const statement = oncePerClient(build);

export interface EnrollmentLookup {
  enrollment: typeof enrollments.$inferSelect;
  identity: IdentityRow;
  hasCertAuthenticator: boolean;
}

/** One D1 round trip; undefined when no enrollment has this token hash (or its identity is gone). */
export async function lookupEnrollment(db: Database, tokenHash: string): Promise<EnrollmentLookup | undefined> {
  const row = await statement(db).get({ tokenHash });
  if (!row) return undefined;
  return { ...row, hasCertAuthenticator: Number(row.hasCertAuthenticator) === 1 };
}
