import type { DomainContext } from "../shared/context";
import { newReqid } from "./job-plan";
import type { JobRow } from "./jobs.query";

/** What the creator of a job decides; the rest of its row is the same for every new job. */
export type NewJobFields = Pick<
  JobRow,
  "id" | "kind" | "script" | "args" | "mode" | "status" | "options" | "notes" | "idempotencyKey" | "hostCount"
>;

/** A new job's row, created `now` by the context's actor with a fresh reqid: nothing started or counted yet. */
export function newJobRow(ctx: Pick<DomainContext, "actor">, now: number, f: NewJobFields): JobRow {
  return {
    id: f.id,
    reqid: newReqid(),
    kind: f.kind,
    script: f.script,
    args: f.args,
    mode: f.mode,
    status: f.status,
    options: f.options,
    notes: f.notes,
    createdBy: ctx.actor?.id ?? null,
    idempotencyKey: f.idempotencyKey,
    hostCount: f.hostCount,
    succeededCount: 0,
    failedCount: 0,
    createdAt: now,
    startedAt: null,
    completedAt: null,
  };
}
