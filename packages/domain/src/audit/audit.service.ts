import { and, asc, desc, eq, gt, gte, lt, lte, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { log } from "../log";
import { auditLog } from "../schema";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";
import { withinAnonymousRefusalBudget } from "./anonymous-budget";
import { type ChainFields, entryHash, GENESIS_HASH } from "./chain";

export interface AuditInput {
  action: string;
  targetType?: string;
  targetId?: string | null;
  outcome?: "success" | "failure" | "denied";
  /** Never secrets: callers pass ids, names and changed field names only. */
  detail?: Record<string, unknown>;
}

/**
 * Each conflict means another writer appended, so with N concurrent writers
 * every round lets at least one through and N writers finish within N rounds.
 * Jittered backoff de-synchronises the rest.
 */
const MAX_ATTEMPTS = 64;
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));
const CHAIN_CONFLICT = /audit chain conflict/;

/**
 * Applies `statements` and appends one audit entry in the same D1 batch (one
 * transaction). A trigger (migrations/0001) aborts the batch if another writer
 * appended first; we then re-read the chain head and retry, so the change and
 * its audit entry land together or not at all.
 */
export async function commitAudited(
  ctx: DomainContext,
  statements: BatchItem<"sqlite">[] | (() => BatchItem<"sqlite">[]),
  input: AuditInput,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const head = await ctx.db.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1).get();
    const prevHash = head?.hash ?? GENESIS_HASH;
    const fields: ChainFields = {
      id: newId(),
      at: ctx.now(),
      actorId: ctx.actor?.id ?? null,
      actorName: ctx.actor?.name ?? null,
      credentialId: ctx.actor?.credentialId ?? null,
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      requestId: ctx.requestId,
      sourceIp: ctx.sourceIp || null,
      outcome: input.outcome ?? "success",
      detail: input.detail ?? {},
    };
    const hash = await entryHash(prevHash, fields);
    const insert = ctx.db.insert(auditLog).values({ ...fields, prevHash, hash });
    const changes = typeof statements === "function" ? statements() : statements;
    try {
      await ctx.db.batch([...changes, insert] as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
      return;
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !CHAIN_CONFLICT.test(String(err))) throw err;
      await backoff(attempt);
    }
  }
}

/**
 * Appends an audit entry with no other change (e.g. a refused login). Refusals
 * of anonymous callers share one global budget per minute: past it they are
 * logged instead of chained, so a flood of refused requests cannot queue in
 * front of real changes on the audit chain.
 */
export async function audit(ctx: DomainContext, input: AuditInput): Promise<void> {
  if (!ctx.actor && input.outcome !== undefined && input.outcome !== "success") {
    if (!(await withinAnonymousRefusalBudget(ctx))) {
      log("warn", "anonymous refusal not audited (budget spent)", {
        requestId: ctx.requestId,
        action: input.action,
        outcome: input.outcome,
        sourceIp: ctx.sourceIp,
      });
      return;
    }
  }
  await commitAudited(ctx, [], input);
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  from?: number;
  to?: number;
  cursor?: number;
  limit: number;
}

/** Newest first, cursor = the last `seq` seen. */
export async function listAudit(ctx: DomainContext, f: AuditFilter) {
  const where: SQL[] = [];
  if (f.actor) where.push(eq(auditLog.actorId, f.actor));
  if (f.action) where.push(eq(auditLog.action, f.action));
  if (f.target) where.push(eq(auditLog.targetId, f.target));
  if (f.from !== undefined) where.push(gte(auditLog.at, f.from));
  if (f.to !== undefined) where.push(lte(auditLog.at, f.to));
  if (f.cursor !== undefined) where.push(lt(auditLog.seq, f.cursor));
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.seq))
    .limit(f.limit + 1)
    .all();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { entries: page, nextCursor: rows.length > f.limit && last ? last.seq : null };
}

export interface IntegrityReport {
  intact: boolean;
  rowsChecked: number;
  errors: { rowId: string; expectedHash: string; actualHash: string }[];
}

/** Walks the whole chain in `seq` order, recomputing every link. */
export async function verifyAuditChain(ctx: DomainContext): Promise<IntegrityReport> {
  const errors: IntegrityReport["errors"] = [];
  let prev = GENESIS_HASH;
  let after = 0;
  let checked = 0;
  for (;;) {
    const rows = await ctx.db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, after))
      .orderBy(asc(auditLog.seq))
      .limit(500)
      .all();
    if (rows.length === 0) break;
    for (const row of rows) {
      checked++;
      const expected = await entryHash(prev, row);
      if (row.prevHash !== prev || row.hash !== expected) {
        errors.push({ rowId: row.id, expectedHash: expected, actualHash: row.hash });
      }
      // Continue from the stored hash so one bad row is reported once, not cascaded.
      prev = row.hash;
      after = row.seq;
    }
  }
  return { intact: errors.length === 0, rowsChecked: checked, errors };
}
