import { AuditIntegrity, AuditPage, AuditQuery, errorResponses, iso, json } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import { domain } from "../../../lib/domain-context";
import { createRouter } from "../../../lib/router";
import { protectedRoute } from "../route";

const list = protectedRoute("/audit", "admin", {
  method: "get",
  path: "",
  tags: ["Audit"],
  summary: "Audit entries, newest first, with filters and cursor pagination",
  request: { query: AuditQuery },
  responses: { 200: json(AuditPage), ...errorResponses(400, 401, 403) },
});

const integrity = protectedRoute("/settings", "admin", {
  method: "post",
  path: "/audit-integrity",
  tags: ["Audit"],
  summary: "Recompute the hash chain and report every broken link",
  responses: { 200: json(AuditIntegrity), ...errorResponses(401, 403) },
});

export const auditRouter = createRouter().openapi(list, async (c) => {
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
});

export const integrityRouter = createRouter().openapi(integrity, async (c) => {
  const r = await svc.verifyAuditChain(await domain(c));
  return c.json(
    {
      intact: r.intact,
      rows_checked: r.rowsChecked,
      errors: r.errors.map((e) => ({ row_id: e.rowId, expected_hash: e.expectedHash, actual_hash: e.actualHash })),
    },
    200,
  );
});
