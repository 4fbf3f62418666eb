import { createRoute, z } from "@hono/zod-openapi";

export const HealthBody = z
  .object({
    service: z.literal("fleetgate"),
    version: z.string(),
    status: z.literal("healthy"),
    database: z.literal("ok"),
  })
  .openapi("Health");

export const health = createRoute({
  method: "get",
  path: "/status/health",
  tags: ["Status"],
  summary: "Liveness and database reachability",
  security: [],
  responses: {
    200: { description: "Healthy", content: { "application/json": { schema: HealthBody } } },
    503: { description: "The database is unreachable (empty body)" },
  },
});
