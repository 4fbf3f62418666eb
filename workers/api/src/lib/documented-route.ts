import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import type { Router } from "./router";

/**
 * Serves `route` without zod-openapi's request validators and registers it in
 * the router's generated document. For the dialect faces (ctrl-exec, Zentral)
 * whose bodies arrive with any (or DRF's) content type and whose refusals have
 * fixed texts in a fixed order: their handlers parse with the very schemas the
 * route documents (packages/contract/src/{exec,zentral}). `path` is the Hono
 * path when it constrains a parameter (`/status/:reqid{[a-f0-9]+}`).
 */
export function serveDocumented<R extends RouteConfig>(
  router: Router,
  route: R,
  handler: RouteHandler<R, AppEnv>,
  path = route.path.replace(/\{(\w+)\}/g, ":$1"),
): Router {
  router.openAPIRegistry.registerPath(route);
  router.on(route.method.toUpperCase(), path, handler);
  return router;
}
