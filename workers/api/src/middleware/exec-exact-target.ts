import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { faceOf } from "../dialects";
import { CommonError } from "../lib/http-errors";
import { requestTarget } from "../lib/request-target";

/**
 * ctrl-exec routes on an exact string match of the raw request-target, GET and
 * POST only (ctrl-exec.md §2): a query string (no stripping), a percent-escape
 * (never decoded) or a HEAD (which Hono would answer as GET) is no route there.
 */
export const execExactTarget: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (faceOf(c.req.path) !== "exec") return next();
  const target = requestTarget(c.req.raw);
  const exact = target === new URL(c.req.url).pathname && !target.includes("%") && !target.includes("?");
  if (!exact || (c.req.method !== "GET" && c.req.method !== "POST")) throw new CommonError("not_found", "Not found");
  return next();
};
