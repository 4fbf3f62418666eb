import type { RouteConfig, RouteHandler, z } from "@hono/zod-openapi";
import type { Handler, ValidationTargets } from "hono";
import type { AppEnv } from "../context";
import { createRouter, type Router } from "./router";

/** One operation of a resource: its route definition and the handler typed by it. */
export interface Operation {
  mountOn(router: Router): void;
}

/** Replaces the face's default validation failure for one route: it throws that route's own refusal. */
export type ValidationHook = (
  result: { target: keyof ValidationTargets } & ({ success: true } | { success: false; error: z.ZodError }),
) => undefined;

/**
 * Pairs a route definition with its handler (the handler's type is checked against the route), and
 * optionally a hook that replaces the face's validation failure for this route.
 */
export function operation<R extends RouteConfig>(
  route: R,
  handler: RouteHandler<R, AppEnv>,
  hook?: ValidationHook,
): Operation {
  return {
    mountOn(router) {
      router.openapi(route, handler, hook);
    },
  };
}

/**
 * An operation that zod-openapi cannot serve (a WebSocket upgrade: its handler checks Origin before
 * it reads the query; a body parsed after the caller is authenticated): a plain Hono handler,
 * documented by its route definition. `path` is the Hono path where the documented one cannot say
 * what is matched (a key that may hold slashes).
 */
export function documentedOperation(
  route: RouteConfig,
  handler: Handler<AppEnv>,
  path = route.path.replace(/\{(\w+)\}/g, ":$1"),
): Operation {
  return {
    mountOn(router) {
      router.on(route.method.toUpperCase(), path, handler);
      router.openAPIRegistry.registerPath(route);
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
