import { iso } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type * as r from "./audit.routes";

export const list: RouteHandler<typeof r.list, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await svc.listAudit(await domain(c), {
    actor: q.actor,
    action: q.action,
    target: q.target,
    from: q.from ? Date.parse(q.from) : undefined,
    to: q.to ? Date.parse(q.to) : undefined,
    cursor: q.cursor,
    limit: q.limit,
  });
  return c.json(
    {
      entries: page.entries.map((e) => ({
        id: e.id,
        seq: e.seq,
        at: iso(e.at),
        actor_id: e.actorId,
        actor_name: e.actorName,
        credential_id: e.credentialId,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId,
        request_id: e.requestId,
        source_ip: e.sourceIp,
        outcome: e.outcome,
        detail: e.detail,
        ledger_seq: e.ledgerSeq,
        prev_hash: e.prevHash,
        hash: e.hash,
      })),
      next_cursor: page.nextCursor,
    },
    200,
  );
};

export const integrity: RouteHandler<typeof r.integrity, AppEnv> = async (c) => {
  const result = await svc.verifyAuditChain(await domain(c));
  return c.json(
    {
      intact: result.intact,
      rows_checked: result.rowsChecked,
      errors: result.errors.map((e) => ({
        row_id: e.rowId,
        expected_hash: e.expectedHash,
        actual_hash: e.actualHash,
      })),
    },
    200,
  );
};
