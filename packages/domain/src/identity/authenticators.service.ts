import { and, asc, count, eq, gt } from "drizzle-orm";
import { apiSessions, authenticators } from "../schema";
import type { DomainContext } from "../shared/context";

/** What a face may show about an authenticator: never the password hash. */
export interface AuthenticatorView {
  id: string;
  identityId: string;
  method: "updb" | "cert";
  username: string | null;
  fingerprint: string | null;
  certPem: string | null;
  /** A cert authenticator whose certificate our CA issued (enrollment), not a third-party one. */
  issuedByNetwork: boolean;
  createdAt: number;
  updatedAt: number;
}

function toView(row: typeof authenticators.$inferSelect): AuthenticatorView {
  return {
    id: row.id,
    identityId: row.identityId,
    method: row.method,
    username: row.username,
    fingerprint: row.fingerprint,
    certPem: row.certPem,
    issuedByNetwork: row.method === "cert" && row.certificateId !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** One page of an identity's authenticators (oldest first) and how many there are in all. */
export async function listAuthenticators(
  ctx: DomainContext,
  identityId: string,
  page: { limit: number; offset: number },
): Promise<{ items: AuthenticatorView[]; total: number }> {
  const where = eq(authenticators.identityId, identityId);
  const [rows, totals] = await Promise.all([
    ctx.db
      .select()
      .from(authenticators)
      .where(where)
      .orderBy(asc(authenticators.createdAt), asc(authenticators.id))
      .limit(page.limit)
      .offset(page.offset)
      .all(),
    ctx.db.select({ n: count() }).from(authenticators).where(where).get(),
  ]);
  return { items: rows.map(toView), total: totals?.n ?? 0 };
}

/** One of the identity's own authenticators; undefined when it is missing or someone else's. */
export async function findAuthenticator(
  ctx: DomainContext,
  identityId: string,
  id: string,
): Promise<AuthenticatorView | undefined> {
  const row = await ctx.db
    .select()
    .from(authenticators)
    .where(and(eq(authenticators.id, id), eq(authenticators.identityId, identityId)))
    .get();
  return row ? toView(row) : undefined;
}

/** Whether the identity holds at least one live (unexpired) Ziti API session. */
export async function hasApiSession(ctx: DomainContext, identityId: string): Promise<boolean> {
  const row = await ctx.db
    .select({ id: apiSessions.id })
    .from(apiSessions)
    .where(and(eq(apiSessions.identityId, identityId), gt(apiSessions.expiresAt, ctx.now())))
    .limit(1)
    .get();
  return row !== undefined;
}
