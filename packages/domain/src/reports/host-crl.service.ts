import type { AgentCrlReport } from "@fleetgate/contract";
import { certificateInfo } from "@fleetgate/pki";
import { eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db";
import { caChain } from "../pki/ca.service";
import { issuerIdOf } from "../pki/crl.service";
import { hostCrlState, issuerCrls } from "../schema";
import type { DomainContext } from "../shared/context";

export type CrlStatus = "valid" | "expired" | "missing" | "invalid" | "not_reporting";
type Row = typeof hostCrlState.$inferInsert;

/** The issuing CA's subject, parsed once per certificate (PEM) and isolate; a few issuers at most. */
const issuerSubjects = new Map<string, Promise<string>>();
function issuerSubject(certPem: string): Promise<string> {
  let subject = issuerSubjects.get(certPem);
  if (!subject) {
    subject = certificateInfo(certPem).then((info) => info.subject);
    if (issuerSubjects.size >= 8) issuerSubjects.clear();
    issuerSubjects.set(certPem, subject);
    subject.catch(() => issuerSubjects.delete(certPem));
  }
  return subject;
}

/**
 * What the server concludes from a held CRL's report: `invalid` when its issuer is not this
 * deployment's issuing CA or its number is above the newest this CA ever signed; else `held`.
 */
async function judgeHeld(
  ctx: DomainContext,
  report: { crl_number: string; issuer: string },
): Promise<{ state: "held" | "invalid"; detail: string | null }> {
  const chain = await caChain(ctx);
  const subject = await issuerSubject(chain.issuing.certPem);
  if (report.issuer !== subject) return { state: "invalid", detail: "issuer mismatch" };
  const current = await ctx.db
    .select({ number: issuerCrls.number })
    .from(issuerCrls)
    .where(eq(issuerCrls.issuerId, await issuerIdOf(chain)))
    .get();
  if (current && BigInt(report.crl_number) > BigInt(current.number)) {
    return { state: "invalid", detail: "CRL number never issued" };
  }
  return { state: "held", detail: null };
}

/**
 * Records the CRL report of a host's agent (hello or `crl_state` frame). `undefined` (an
 * agent too old to report) forgets any earlier report: the host reads `not_reporting`.
 */
export async function recordHostCrl(
  ctx: DomainContext,
  hostId: string,
  report: AgentCrlReport | undefined,
  now: number,
): Promise<void> {
  await hostCrlStatement(ctx.db, hostId, await hostCrlRow(ctx, hostId, report, now)).run();
}

/**
 * The row `recordHostCrl` stores for a report (undefined: none, the row is removed). Judging a
 * held CRL reads the newest CRL number this CA signed (one D1 read); an error report needs none.
 */
export async function hostCrlRow(
  ctx: DomainContext,
  hostId: string,
  report: AgentCrlReport | undefined,
  now: number,
): Promise<Row | undefined> {
  if (!report) return undefined;
  if ("error" in report) return { hostId, state: report.error, detail: report.detail ?? null, reportedAt: now };
  const { state, detail } = await judgeHeld(ctx, report);
  return {
    hostId,
    state,
    crlNumber: report.crl_number,
    issuer: report.issuer,
    nextUpdate: report.next_update,
    thisUpdate: report.this_update ?? null,
    detail,
    reportedAt: now,
  };
}

/** The statement storing `row` (from `hostCrlRow`) for a host, or removing its report; for a caller's batch. */
export function hostCrlStatement(db: Database, hostId: string, row: Row | undefined) {
  if (!row) return db.delete(hostCrlState).where(eq(hostCrlState.hostId, hostId));
  const { hostId: _, ...set } = row;
  const cleared = { crlNumber: null, issuer: null, nextUpdate: null, thisUpdate: null, ...set };
  return db.insert(hostCrlState).values(row).onConflictDoUpdate({ target: hostCrlState.hostId, set: cleared });
}

/**
 * crl_status of a host as SQL (docs/reports.md "CRL status"): `not_reporting` without a
 * report, `missing`/`invalid` as recorded, `expired` once the held CRL's nextUpdate has
 * passed (by the database clock), else `valid`.
 */
export function crlStatusSql(id: SQL): SQL<CrlStatus> {
  return sql<CrlStatus>`coalesce((SELECT CASE c.state WHEN 'missing' THEN 'missing' WHEN 'invalid' THEN 'invalid'
      ELSE CASE WHEN c.next_update IS NULL OR c.next_update <= CAST(unixepoch('subsec') * 1000 AS INTEGER) THEN 'expired' ELSE 'valid' END END
    FROM host_crl_state c WHERE c.host_id = ${id}), 'not_reporting')`;
}

/**
 * crl_status, the held CRL's nextUpdate and its age (seconds since its thisUpdate, at `ctx.now()`;
 * never negative) of one host, for its detail view; null where the agent reported no held CRL or no
 * thisUpdate.
 */
export async function hostCrlOf(
  ctx: DomainContext,
  hostId: string,
): Promise<{ status: CrlStatus; nextUpdate: number | null; ageSeconds: number | null }> {
  const row = await ctx.db
    .select({
      status: crlStatusSql(sql`${hostId}`),
      nextUpdate: sql<number | null>`(SELECT c.next_update FROM host_crl_state c WHERE c.host_id = ${hostId})`,
      thisUpdate: sql<number | null>`(SELECT c.this_update FROM host_crl_state c WHERE c.host_id = ${hostId})`,
    })
    .from(sql`(SELECT 1)`)
    .get();
  const thisUpdate = row?.thisUpdate ?? null;
  return {
    status: row?.status ?? "not_reporting",
    nextUpdate: row?.nextUpdate ?? null,
    ageSeconds: thisUpdate === null ? null : Math.max(0, Math.floor((ctx.now() - thisUpdate) / 1000)),
  };
}
