import { ExecErrorResponse } from "@fleetgate/contract";
import type { z } from "@hono/zod-openapi";

/** Response and body entries of the ctrl-exec routes' OpenAPI definitions. */
export const execError = (description: string) => ({
  description,
  content: { "application/json": { schema: ExecErrorResponse } },
});

export const execOk = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** ctrl-exec reads the body as JSON whatever its Content-Type; documented as JSON. */
export const execBody = (schema: z.ZodType, required = true) => ({
  required,
  content: { "application/json": { schema } },
});
