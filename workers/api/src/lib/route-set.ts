import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import { createRouter, type Router } from "./router";

/** One operation of a resource: its route definition and the handler typed by it. */
export interface Operation {
  mountOn(router: Router): void;
}

/** Pairs a route definition with its handler (the handler's type is checked against the route). */
export function operation<R extends RouteConfig>(route: R, handler: RouteHandler<R, AppEnv>): Operation {
  return {
    mountOn(router) {
      router.openapi(route, handler);
    },
  };
}

/**
 * A resource router of any face, from its operations in order: the one piece of wiring every
 * `x.index.ts` shares, so that an index only lists what its face serves.
 */
export function routerOf(...operations: Operation[]): Router {
  const router = createRouter();
  for (const op of operations) op.mountOn(router);
  return router;
}
