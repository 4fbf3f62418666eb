import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { ZT_SESSION, zitiAuth } from "./ziti-auth";

/** What a resource's route says for itself; its tags and authentication come from `sessionRoutes`. */
type Definition = Omit<RouteConfig, "tags" | "security" | "middleware"> & { operationId: string; summary: string };

/**
 * The route definitions of a Ziti resource that takes a full API session (`zt-session`): its tags
 * and the face's session authentication are given once. Each operation keeps the document's order
 * (operationId, tags, summary, security).
 */
export function sessionRoutes(tags: string[]) {
  return <R extends Definition>({ operationId, summary, ...rest }: R) =>
    createRoute({ operationId, tags, summary, security: ZT_SESSION, middleware: zitiAuth(), ...rest });
}
