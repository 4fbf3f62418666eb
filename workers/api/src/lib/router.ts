import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import { validationError } from "./http-errors";

/**
 * A face router: zod-openapi validation whose failures become CommonErrors,
 * rendered by the face's own error shape in the top-level onError.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: true,
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
}
export type Router = ReturnType<typeof createRouter>;
