import { createRoute, z } from "@hono/zod-openapi";

export const installScript = createRoute({
  method: "get",
  path: "/install.sh",
  tags: ["Agent"],
  summary: "The one-line installer: curl -fsSL <server>/agent/v1/install.sh | sudo sh -s -- --token <JWT>",
  security: [],
  responses: { 200: { description: "POSIX sh script", content: { "text/x-shellscript": { schema: z.string() } } } },
});
