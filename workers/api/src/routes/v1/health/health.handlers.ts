import { databaseReachable } from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import type * as r from "./health.routes";

export const health: RouteHandler<typeof r.health, AppEnv> = async (c) => {
  if (!(await databaseReachable(c.get("db"), c.get("requestId")))) return c.body(null, 503);
  return c.json(
    {
      service: "fleetgate" as const,
      version: c.env.FLEETGATE_VERSION,
      status: "healthy" as const,
      database: "ok" as const,
    },
    200,
  );
};
