import { createRoute, z } from "@hono/zod-openapi";

export const HealthResponse = z.object({ ok: z.literal(true), version: z.string() }).openapi("HealthResponse");
export const IndexResponse = z
  .object({
    name: z.literal("ctrl-exec-api"),
    version: z.string(),
    spec: z.string(),
    live_spec: z.string(),
    endpoints: z.array(z.object({ method: z.string(), path: z.string() })),
  })
  .openapi("IndexResponse");

export const health = createRoute({
  method: "get",
  path: "/health",
  operationId: "health",
  summary: "Liveness",
  responses: { 200: { description: "Alive", content: { "application/json": { schema: HealthResponse } } } },
});

export const index = createRoute({
  method: "get",
  path: "/",
  operationId: "index",
  summary: "Index of the endpoints this face serves",
  responses: { 200: { description: "Index", content: { "application/json": { schema: IndexResponse } } } },
});
