import { createRouter } from "../../../lib/router";
import { checkpointJwksHandler, listCheckpointsHandler } from "./audit-checkpoints.handlers";
import { checkpointJwks, listCheckpoints } from "./audit-checkpoints.routes";

/** Mounted at /api/v1/audit: the ledger's signed checkpoints and their public key. */
export const auditCheckpointsRouter = createRouter()
  .openapi(listCheckpoints, listCheckpointsHandler)
  .openapi(checkpointJwks, checkpointJwksHandler);
