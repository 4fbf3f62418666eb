import { createRoute } from "@hono/zod-openapi";
import { declaredRoutes, type Permission } from "../../lib/permissions";
import { requireAuth } from "../../middleware/native-auth";
import { NATIVE_SECURITY } from "./openapi/openapi.routes";

type RouteConfig = Parameters<typeof createRoute>[0];

/**
 * A protected native route: OpenAPI definition + auth middleware + a declared
 * permission, recorded so the RBAC test can walk every protected route.
 * `prefix` is the resource router's mount point under /api/v1.
 */
export function protectedRoute<R extends RouteConfig>(prefix: string, permission: Permission, config: R) {
  declaredRoutes.push({ method: config.method.toUpperCase(), path: `/api/v1${prefix}${config.path}`, permission });
  return createRoute(Object.assign(config, { security: NATIVE_SECURITY, middleware: requireAuth(permission) }));
}
