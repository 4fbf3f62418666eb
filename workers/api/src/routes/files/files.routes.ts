import { createRoute, z } from "@hono/zod-openapi";

export const downloadFile = createRoute({
  method: "get",
  path: "/{key}",
  tags: ["Files"],
  summary: "Stream a stored file to the holder of a valid, unexpired signed link",
  security: [],
  request: {
    params: z.object({ key: z.string().openapi({ description: "The object key (may hold slashes)" }) }),
    query: z.object({ task: z.string(), exp: z.string(), sig: z.string() }),
  },
  responses: {
    200: { description: "The file", content: { "application/octet-stream": { schema: z.string() } } },
    403: { description: "A changed or expired link" },
    404: { description: "The task was deleted or its file is gone" },
  },
});
