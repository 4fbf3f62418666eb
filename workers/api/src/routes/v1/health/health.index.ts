import { log } from "@fleetgate/domain";
import { createRouter } from "../../../lib/router";
import { health } from "./health.routes";

/** `GET /status/health`: served at the root, owned by the native face. */
export const healthRouter = createRouter().openapi(health, async (c) => {
  try {
    await c.env.DB.prepare("select 1").first();
  } catch (err) {
    log("error", "health: database unreachable", { requestId: c.get("requestId"), error: String(err) });
    return c.body(null, 503);
  }
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
