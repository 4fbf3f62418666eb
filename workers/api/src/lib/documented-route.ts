import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import type { Router } from "./router";

/**
 * Serves `route` without zod-openapi's request validators and registers it in
 * the router's generated document. For the dialect faces (ctrl-exec, Zentral)
 * whose bodies arrive with any (or DRF's) content type and whose refusals have
 * fixed texts in a fixed order: their handlers parse with the very schemas the
 * route documents (packages/contract/src/{exec,zentral}). `path` is the Hono
 * path when it constrains a parameter (`/status/:reqid{[a-f0-9]+}`); the
 * route's `middleware` (authentication) runs only when the path matched.
 */
export function serveDocumented<R extends RouteConfig>(
  router: Router,
  route: R,
  handler: RouteHandler<R, AppEnv>,
  path = route.path.replace(/\{(\w+)\}/g, ":$1"),
): Router {
  const { middleware, hide: _hide, ...documented } = route;
  router.openAPIRegistry.registerPath(documented);
  const before = middleware === undefined ? [] : Array.isArray(middleware) ? middleware : [middleware];
  for (const mw of before) router.on(route.method.toUpperCase(), path, mw);
  router.on(route.method.toUpperCase(), path, handler);
  return router;
}
