import { operation as op, routerOf } from "../../../lib/route-set";
import { checkpointJwksHandler, listCheckpointsHandler } from "./audit-checkpoints.handlers";
import { checkpointJwks, listCheckpoints } from "./audit-checkpoints.routes";

/** Mounted at /api/v1/audit: the ledger's signed checkpoints and their public key. */
export const auditCheckpointsRouter = routerOf(
  op(listCheckpoints, listCheckpointsHandler),
  op(checkpointJwks, checkpointJwksHandler),
);
