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
      // On failure `data` is the raw input (@hono/zod-validator passes it to the hook).
      if (!result.success) throw validationError(result.error, (result as { data?: unknown }).data);
    },
  });
}
export type Router = ReturnType<typeof createRouter>;

type SecurityScheme = Parameters<Router["openAPIRegistry"]["registerComponent"]>[2];

/** An API key carried in a request header (`zt-session`, or `Authorization: Token ztl…`). */
export const headerKey = (name: string, description: string): SecurityScheme => ({
  type: "apiKey",
  in: "header",
  name,
  description,
});

/** Declares a face's security schemes in the document it generates. */
export function registerSecuritySchemes(router: Router, schemes: Record<string, SecurityScheme>): void {
  for (const [name, scheme] of Object.entries(schemes)) {
    router.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  }
}
