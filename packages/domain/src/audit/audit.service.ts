import { and, desc, eq, gte, lt, lte, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { log } from "../log";
import { auditLog } from "../schema";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";
import { withinAnonymousRefusalBudget } from "./anonymous-budget";

export interface AuditInput {
  action: string;
  targetType?: string;
  targetId?: string | null;
  outcome?: "success" | "failure" | "denied";
  /** Never secrets: callers pass ids, names and changed field names only. */
  detail?: Record<string, unknown>;
  /**
   * The detail as a JSON object computed inside the batch (e.g. `json_object(…)` with an id only
   * the database knows yet); replaces `detail`. The same rule: never secrets.
   */
  detailSql?: SQL;
}

/**
 * Applies `statements` and appends one audit entry in the same D1 batch (one
 * transaction), so the change and its entry land together or not at all. The
 * entry is written unsealed: no read of the chain head, no retry, no writer ever
 * waits on another. The AuditSequencer Durable Object seals it into the chain a
 * moment later (ledger-seal.service.ts); `ctx.onAudited` wakes it.
 */
export async function commitAudited(
  ctx: DomainContext,
  statements: BatchItem<"sqlite">[] | (() => BatchItem<"sqlite">[]),
  input: AuditInput,
): Promise<void> {
  const insert = ctx.db.insert(auditLog).values({
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
    // A client-chosen request id is recorded as a correlation field, never as the request id.
    detail: input.detailSql
      ? ctx.correlationId
        ? sql`json_set(${input.detailSql}, '$.correlation_id', ${ctx.correlationId})`
        : input.detailSql
      : ctx.correlationId
        ? { ...input.detail, correlation_id: ctx.correlationId }
        : (input.detail ?? {}),
  });
  const changes = typeof statements === "function" ? statements() : statements;
  // One transaction: if any statement fails, the entry rolls back with the change.
  await ctx.db.batch([insert, ...changes]);
  ctx.onAudited?.();
}

/**
 * Appends an audit entry with no other change (e.g. a refused login). Refusals
 * of anonymous callers share one global budget per minute: past it they are
 * logged instead of written, so a flood of refused requests cannot bury real
 * changes in the ledger nor load its sequencer.
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
