import { ExecErrorResponse, json } from "@fleetgate/contract";
import type { z } from "@hono/zod-openapi";

/** Response and body entries of the ctrl-exec routes' OpenAPI definitions (the contract's `json` entry). */
export const execError = (description: string) => json(ExecErrorResponse, description);

export const execOk = json;

/** ctrl-exec reads the body as JSON whatever its Content-Type; documented as JSON. */
export const execBody = (schema: z.ZodType, required = true) => ({
  required,
  content: { "application/json": { schema } },
});
