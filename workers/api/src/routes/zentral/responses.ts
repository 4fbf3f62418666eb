import { ZentralErrorResponse } from "@fleetgate/contract";
import type { z } from "@hono/zod-openapi";
import { UUID_PARAM } from "./drf";

/** Response entries of the Zentral routes' OpenAPI definitions. */
export const drfError = (description: string) => ({
  description,
  content: { "application/json": { schema: ZentralErrorResponse } },
});

export const drfOk = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** Django's `<uuid:…>` path converter, in the Hono path of a documented `{name}` parameter. */
export const uuidPath = (path: string) => path.replace(/\{(\w+)\}/g, `:$1{${UUID_PARAM}}`);
