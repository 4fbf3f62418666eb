import { AuditCheckpointPage, AuditCheckpointQuery, CheckpointJwks, errorResponses, json } from "@fleetgate/contract";
import { createRoute } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

export const listCheckpoints = protectedRoute("/audit", "read", {
  method: "get",
  path: "/checkpoints",
  tags: ["Audit"],
  summary: "Signed checkpoints of the sealed audit ledger, newest first, with the key that verifies them",
  request: { query: AuditCheckpointQuery },
  responses: { 200: json(AuditCheckpointPage), ...errorResponses(400, 401, 403) },
});

export const checkpointJwks = createRoute({
  method: "get",
  path: "/checkpoints/jwks.json",
  tags: ["Audit"],
  summary: "The public key of the audit checkpoints (JWKS), for offline verification",
  responses: { 200: json(CheckpointJwks) },
});
