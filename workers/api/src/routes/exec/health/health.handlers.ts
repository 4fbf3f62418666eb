import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import type { Router } from "../../../lib/router";
import type { health, index } from "./health.routes";

/** The endpoint list of `GET /`, in ctrl-exec's order, limited to what this face actually serves. */
const ORDER = [
  ["GET", "/health"],
  ["POST", "/ping"],
  ["POST", "/run"],
  ["GET", "/discovery"],
  ["POST", "/discovery"],
  ["GET", "/status/{reqid}"],
  ["GET", "/openapi.json"],
  ["GET", "/openapi-live.json"],
] as const;

export const healthHandler: RouteHandler<typeof health, AppEnv> = (c) =>
  c.json({ ok: true as const, version: c.env.FLEETGATE_VERSION }, 200);

/** `GET /`: the endpoints of ctrl-exec's list that `exec()` (the whole face, read per request) serves. */
export const indexHandler =
  (exec: () => Router): RouteHandler<typeof index, AppEnv> =>
  (c) => {
    const served = new Set(exec().routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`));
    return c.json(
      {
        name: "ctrl-exec-api" as const,
        version: c.env.FLEETGATE_VERSION,
        spec: "/openapi.json",
        live_spec: "/openapi-live.json",
        endpoints: ORDER.filter(([m, p]) => served.has(`${m} ${p}`)).map(([method, path]) => ({ method, path })),
      },
      200,
    );
  };
