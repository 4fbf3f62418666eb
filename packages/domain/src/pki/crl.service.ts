import { buildCrl, type CaChain, pemToDer, type RevocationReason } from "@fleetgate/pki";
import { and, eq, gt, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import { certificates, issuerCrls } from "../schema";
import type { DomainContext } from "../shared/context";
import { caChain } from "./ca.service";

/**
 * CRLs (issue 11, finding 2). One row per issuing CA, never one per revocation:
 * a revocation only bumps the row's `revision` inside its own batch
 * (`crlStaleStatement`), so revoking costs no signature. The CRL is re-signed
 * off the revocation path — by the first read that finds it stale and by the
 * cron sweep (`refreshCrls`) — so any burst of revocations costs one signature.
 * Session certificates (hours-long, checked online on every use) never enter it.
 */

/** CRLs are valid a week and re-signed within a day of nextUpdate. */
export const CRL_VALIDITY_MS = 7 * 86_400_000;
export const CRL_REFRESH_BEFORE_MS = 86_400_000;
/** How long a reader's claim to re-sign lasts; others serve the stored CRL meanwhile. */
const CLAIM_MS = 30_000;

const issuerIds = new Map<string, Promise<string>>();

/** The issuing CA's id: SHA-256 (hex) of its certificate's DER. Cached per certificate. */
export function issuerIdOf(chain: CaChain): Promise<string> {
  const pem = chain.issuing.certPem;
  let id = issuerIds.get(pem);
  if (!id) {
    id = crypto.subtle.digest("SHA-256", pemToDer(pem)).then((d) => {
      return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
    });
    if (issuerIds.size >= 8) issuerIds.clear();
    issuerIds.set(pem, id);
  }
  return id;
}

/**
 * The statement that marks the CRL of the certificates' issuers stale; put it
 * in the same batch as the revocation. Session certificates do not count.
 * Rows without a recorded issuer are the current issuer's (they predate the column).
 */
export function crlStaleStatement(ctx: DomainContext, ids: string[]) {
  return ctx.db
    .update(issuerCrls)
    .set({ revision: sql`${issuerCrls.revision} + 1` })
    .where(
      sql`EXISTS (SELECT 1 FROM ${certificates} WHERE ${inArray(certificates.id, ids)} AND ${ne(certificates.kind, "session")} AND (${certificates.issuerId} = ${issuerCrls.issuerId} OR ${certificates.issuerId} IS NULL))`,
    );
}

type CrlRow = typeof issuerCrls.$inferSelect;

const due = (row: CrlRow, now: number) =>
  row.builtRevision < row.revision || row.nextUpdate - now <= CRL_REFRESH_BEFORE_MS;

/** Signs a CRL of the issuer's revoked, unexpired, non-session certificates. */
async function signCrl(ctx: DomainContext, chain: CaChain, issuerId: string, number: number, now: number) {
  const revoked = await ctx.db
    .select({
      serial: certificates.serial,
      revokedAt: certificates.revokedAt,
      reason: certificates.revocationReason,
    })
    .from(certificates)
    .where(
      and(
        eq(certificates.status, "revoked"),
        gt(certificates.notAfter, now),
        ne(certificates.kind, "session"),
        or(eq(certificates.issuerId, issuerId), isNull(certificates.issuerId)),
      ),
    )
    .all();
  return buildCrl({
    issuer: chain.issuing,
    revoked: revoked.map((r) => ({
      serialHex: r.serial,
      revokedAt: new Date(r.revokedAt ?? now),
      reason: (r.reason ?? "unspecified") as RevocationReason,
    })),
    thisUpdate: new Date(now),
    nextUpdate: new Date(now + CRL_VALIDITY_MS),
    crlNumber: number,
  });
}

const readRow = (ctx: DomainContext, issuerId: string) =>
  ctx.db.select().from(issuerCrls).where(eq(issuerCrls.issuerId, issuerId)).get();

/**
 * The current issuer's CRL: the stored one unless it is stale or due, else
 * re-signed by one caller (a claim on the row) while concurrent callers serve
 * the stored one. The write is a compare-and-set on `number`, so a number is
 * never given to two different CRLs.
 */
export async function currentCrl(ctx: DomainContext): Promise<string> {
  const chain = await caChain(ctx);
  const issuerId = await issuerIdOf(chain);
  const now = ctx.now();
  const row = (await readRow(ctx, issuerId)) ?? (await createPlaceholder(ctx, issuerId, now));
  if (!due(row, now)) return row.pem;
  const claimed = await ctx.db
    .update(issuerCrls)
    .set({ claimedUntil: now + CLAIM_MS })
    .where(
      and(
        eq(issuerCrls.issuerId, issuerId),
        eq(issuerCrls.number, row.number),
        or(isNull(issuerCrls.claimedUntil), lt(issuerCrls.claimedUntil, now)),
      ),
    )
    .returning({ revision: issuerCrls.revision })
    .get();
  // Someone else is signing (or just signed): serve what is stored, never fail the read.
  if (!claimed) return storedPem(ctx, chain, issuerId, row);
  // The revision is read before the revoked rows, so every revocation it counts is in the CRL.
  const pem = await signCrl(ctx, chain, issuerId, row.number + 1, now);
  const written = await ctx.db
    .update(issuerCrls)
    .set({
      number: row.number + 1,
      pem,
      thisUpdate: now,
      nextUpdate: now + CRL_VALIDITY_MS,
      builtRevision: claimed.revision,
      claimedUntil: null,
    })
    .where(and(eq(issuerCrls.issuerId, issuerId), eq(issuerCrls.number, row.number)))
    .returning({ number: issuerCrls.number })
    .get();
  return written ? pem : storedPem(ctx, chain, issuerId, row);
}

/**
 * An issuer's row before its first CRL (empty pem, stale), so that revocations
 * racing the first signature are counted. Numbers start at the Unix time in
 * seconds: above any number of the former one-row-per-CRL table, so they keep growing.
 */
async function createPlaceholder(ctx: DomainContext, issuerId: string, now: number): Promise<CrlRow> {
  await ctx.db
    .insert(issuerCrls)
    .values({ issuerId, number: Math.floor(now / 1000), pem: "", thisUpdate: 0, nextUpdate: 0, revision: 1 })
    .onConflictDoNothing()
    .run();
  const row = await readRow(ctx, issuerId);
  if (!row) throw new Error("CRL row could not be created");
  return row;
}

/**
 * The stored CRL for a reader that did not sign. Only before an issuer's very
 * first CRL is stored can it be empty: then wait briefly for the signer, and at
 * worst sign a copy under the placeholder's number (never stored).
 */
async function storedPem(ctx: DomainContext, chain: CaChain, issuerId: string, seen: CrlRow): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const row = await readRow(ctx, issuerId);
    if (row?.pem) return row.pem;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return signCrl(ctx, chain, issuerId, seen.number, ctx.now());
}

/**
 * Cron sweep: re-signs the current issuer's CRL when stale or due, and deletes
 * the rows of former issuers once their last CRL has expired. Returns whether
 * the current CRL was re-signed.
 */
export async function refreshCrls(ctx: DomainContext): Promise<boolean> {
  const chain = await caChain(ctx);
  const issuerId = await issuerIdOf(chain);
  const now = ctx.now();
  const row = await readRow(ctx, issuerId);
  const stale = !row || due(row, now);
  if (stale) await currentCrl(ctx);
  await ctx.db
    .delete(issuerCrls)
    .where(and(ne(issuerCrls.issuerId, issuerId), lt(issuerCrls.nextUpdate, now)))
    .run();
  return stale;
}
