import { createDb, log } from "@fleetgate/domain";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { accessLogPath } from "../lib/log-redaction";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Per-request context: the request id (always the server's own, echoed as
 * `X-Request-Id`), a client-supplied `X-Request-Id` kept only as a correlation
 * id when well-formed (echoed as `X-Correlation-Id`, recorded beside — never
 * as — the request id in logs and audit entries), client IP, the D1 client, and one structured
 * access-log line (capabilities in paths redacted, lib/log-redaction.ts).
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const requestId = crypto.randomUUID();
  const correlationId = incoming && SAFE_ID.test(incoming) ? incoming : undefined;
  c.set("requestId", requestId);
  c.set("correlationId", correlationId);
  c.set("clientIp", c.req.header("cf-connecting-ip") ?? "");
  c.set("db", createDb(c.env.DB));
  c.set("principal", undefined);
  c.set("identity", undefined);
  c.set("domain", undefined);
  const started = Date.now();
  await next();
  c.res.headers.set("X-Request-Id", requestId);
  if (correlationId) c.res.headers.set("X-Correlation-Id", correlationId);
  if (c.env.LOG_LEVEL === "warn" || c.env.LOG_LEVEL === "error") return;
  log("info", "request", {
    requestId,
    correlationId,
    method: c.req.method,
    path: accessLogPath(c.req.path),
    status: c.res.status,
    ms: Date.now() - started,
    principal: c.get("principal")?.identityId,
  });
});
