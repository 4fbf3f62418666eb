import { databaseReachable } from "@fleetgate/domain";
import { createRouter } from "../../../lib/router";
import { health } from "./health.routes";

/** `GET /status/health`: served at the root, owned by the native face. */
export const healthRouter = createRouter().openapi(health, async (c) => {
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
});
