import { zitiInstanceId } from "@fleetgate/domain";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../context";
import { publicBase } from "../../lib/domain-context";

/** CORS as the controller configures it (ziti-edge-client.md §2). */
const ALLOW_HEADERS = "content-type, accept, authorization, zt-session";
const ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";

const instanceIds = new Map<string, Promise<string>>();
function instanceId(issuer: string): Promise<string> {
  let id = instanceIds.get(issuer);
  if (!id) {
    id = zitiInstanceId(issuer);
    instanceIds.set(issuer, id);
  }
  return id;
}

/**
 * Headers every controller response carries — `server: ziti-controller/<version>`
 * and `ziti-instance-id` (this deployment's controller id, as `GET /controllers`
 * reports it) — and the controller's CORS: any origin (reflected, since
 * credentials are allowed; the face authenticates by the `zt-session` header,
 * never by cookies), a 200 answer to preflights. Errors pass through here too:
 * the face's error handler renders them inside the chain.
 */
export const controllerHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header("origin");
  const preflight = c.req.method === "OPTIONS" && origin && c.req.header("access-control-request-method");
  if (preflight) {
    c.res = new Response(null, { status: 200 });
  } else {
    await next();
  }
  const headers = c.res.headers;
  headers.set("server", `ziti-controller/v${c.env.FLEETGATE_VERSION}`);
  headers.set("ziti-instance-id", await instanceId(publicBase(c)));
  if (origin) {
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-allow-credentials", "true");
    headers.append("vary", "Origin");
    if (preflight) {
      headers.set("access-control-allow-headers", ALLOW_HEADERS);
      headers.set("access-control-allow-methods", ALLOW_METHODS);
    } else {
      headers.set("access-control-expose-headers", "zt-session, expiration-seconds, expires-at, ziti-instance-id");
    }
  }
};
