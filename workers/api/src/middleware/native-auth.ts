import { resolveAccessToken, resolveApiToken } from "@fleetgate/domain";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { domain, setActor } from "../lib/domain-context";
import { clientIpAllowed } from "../lib/ip-allowlist";
import { allows, type Permission } from "../lib/permissions";
import { ApiError } from "../routes/v1/errors";

/**
 * Native-face authentication and authorisation: `Authorization: Bearer <JWT>`
 * or `Authorization: Token ztl…`, resolved to one Principal, then the route's
 * declared permission is checked against the role.
 */
export function requireAuth(permission: Permission) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!(await clientIpAllowed(c))) throw new ApiError(403, "forbidden", "Access denied");
    const header = c.req.header("authorization") ?? "";
    const [scheme, value] = [
      header.slice(0, header.indexOf(" ")).toLowerCase(),
      header.slice(header.indexOf(" ") + 1).trim(),
    ];
    if (!header || !value || (scheme !== "bearer" && scheme !== "token")) {
      throw new ApiError(401, "unauthorized", "Missing authorization token");
    }
    const ctx = await domain(c);
    const res = scheme === "bearer" ? await resolveAccessToken(ctx, value) : await resolveApiToken(ctx, value);
    if (!res.ok) {
      if (res.reason === "disabled") throw new ApiError(403, "account_disabled", "Account is disabled");
      throw new ApiError(401, "unauthorized", res.reason === "expired" ? "Token expired" : "Invalid token");
    }
    if (res.principal.kind === "host") throw new ApiError(403, "forbidden", "Access denied");
    c.set("principal", res.principal);
    c.set("identity", res.identity);
    setActor(c, ctx);
    if (!allows(res.principal.role, permission)) {
      if (permission === "admin") {
        if (c.req.method === "GET") throw new ApiError(403, "forbidden", "Access denied");
        throw new ApiError(403, "forbidden_role", "Admin role required to modify this resource");
      }
      throw new ApiError(403, "forbidden", "Read-only role cannot modify resources");
    }
    await next();
  });
}
