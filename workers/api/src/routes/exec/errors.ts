import { log } from "@fleetgate/domain";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../context";
import { toCommonError } from "../../lib/http-errors";

/** A ctrl-exec error body: `{"ok":false,"error":…,"detail"?,"code"?,"conflicts"?}` (ctrl-exec.md §3). */
export class ExecError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly error: string,
    readonly body: { detail?: string; code?: number; conflicts?: string[] } = {},
  ) {
    super(error);
    this.name = "ExecError";
  }
}

export const badRequest = (detail: string) => new ExecError(400, "bad request", { detail });

export function renderExec(c: Context<AppEnv>, err: unknown): Response {
  if (err instanceof ExecError) return c.json({ ok: false, error: err.error, ...err.body }, err.status);
  const common = toCommonError(err);
  if (common) {
    switch (common.kind) {
      case "not_found":
      case "method_not_allowed":
        return c.json({ ok: false, error: "not found", detail: `no route for ${c.req.method} ${c.req.path}` }, 404);
      case "payload_too_large":
        return c.json({ ok: false, error: "payload too large", detail: "body exceeds 1048576 bytes" }, 413);
      case "malformed_json":
      case "unsupported_media_type":
        return c.json({ ok: false, error: "bad request", detail: "invalid JSON body" }, 400);
      case "validation":
        return c.json({ ok: false, error: "bad request", detail: common.message }, 400);
      case "unauthorized":
        return c.json({ ok: false, error: "bad credentials", code: 2 }, 403);
      case "forbidden":
        return c.json({ ok: false, error: "denied", code: 1 }, 403);
      case "rate_limited":
        return c.json({ ok: false, error: "too many requests" }, 429);
      case "internal":
        break;
    }
  }
  log("error", "unhandled error", {
    requestId: c.get("requestId"),
    face: "exec",
    error: String(err),
    stack: (err as Error)?.stack,
  });
  return c.json({ ok: false, error: "server error", detail: "internal error" }, 500);
}
