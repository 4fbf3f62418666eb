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

/** The Hono path of a documented one (`/x/{id}` → `/x/:id`). */
const honoPath = (documented: string) => documented.replace(/\{(\w+)\}/g, ":$1");

/**
 * An operation that zod-openapi's request validators cannot serve, documented by its route
 * definition: a WebSocket upgrade (its handler checks Origin before it reads the query), a body
 * parsed after the caller is authenticated, or a dialect face's body that arrives with any (or
 * DRF's) content type and whose refusals have fixed texts in a fixed order (the handler parses with
 * the very schemas the route documents, packages/contract/src/{exec,zentral}). The route's
 * `middleware` (authentication) runs before the handler, only when the path matched. `path` is the
 * Hono path where the documented one cannot say what is matched (a key that may hold slashes, a
 * parameter constrained by a pattern: `/status/:reqid{[a-f0-9]+}`).
 */
export function documentedOperation<R extends RouteConfig>(
  route: R,
  handler: RouteHandler<R, AppEnv>,
  path = honoPath(route.path),
): Operation {
  return {
    mountOn(router) {
      const { middleware, hide, ...documented } = route;
      if (hide !== true) router.openAPIRegistry.registerPath(documented);
      const method = route.method.toUpperCase();
      const before = middleware === undefined ? [] : Array.isArray(middleware) ? middleware : [middleware];
      for (const mw of before) router.on(method, path, mw);
      router.on(method, path, handler);
    },
  };
}

/**
 * `GET <path>`: a face's generated document, where it is not an operation of the document it serves
 * (Zentral's schema view, the agent endpoints' document): served, and listed nowhere.
 */
export function documentEndpoint(path: string, handler: Handler<AppEnv>): Operation {
  return {
    mountOn(router) {
      router.get(path, handler);
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
