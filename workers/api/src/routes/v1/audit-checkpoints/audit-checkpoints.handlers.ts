import { iso } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain } from "../../../lib/domain-context";
import type { checkpointJwks, listCheckpoints } from "./audit-checkpoints.routes";

export const listCheckpointsHandler: RouteHandler<typeof listCheckpoints, AppEnv> = async (c) => {
  const q = c.req.valid("query");
  const page = await svc.listCheckpoints(await domain(c), { before: q.cursor, limit: q.limit });
  return c.json(
    {
      checkpoints: page.checkpoints.map((cp) => ({
        size: cp.size,
        head_hash: cp.headHash,
        timestamp: iso(cp.at),
        key_id: cp.keyId,
        signature: cp.signature,
        body: cp.body,
      })),
      next_cursor: page.nextCursor,
      jwks: { keys: [page.key] },
    },
    200,
  );
};

export const checkpointJwksHandler: RouteHandler<typeof checkpointJwks, AppEnv> = async (c) => {
  c.header("Cache-Control", "public, max-age=300");
  return c.json({ keys: [(await domain(c)).keys.ledger.checkpointJwk] }, 200);
};
