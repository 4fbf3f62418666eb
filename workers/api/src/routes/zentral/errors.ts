import { DomainError, log } from "@fleetgate/domain";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../context";
import { toCommonError } from "../../lib/http-errors";

/** A DRF-style error: `{"detail": …}` or a field → messages map (zentral.md §2). */
export class DrfError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.detail === "string" ? body.detail : "validation error");
    this.name = "DrfError";
  }
}

export const notAuthenticated = () =>
  new DrfError(401, { detail: "Authentication credentials were not provided." }, { "WWW-Authenticate": "Token" });

export function renderZentral(c: Context<AppEnv>, err: unknown): Response {
  if (err instanceof DrfError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(err.body, err.status);
  }
  if (err instanceof DomainError) {
    switch (err.code) {
      case "rate_limited": {
        // DRF `Throttled`: "Request was throttled. Expected available in N second(s)."
        const wait = err.meta.retryAfter ?? 60;
        c.header("Retry-After", String(wait));
        return c.json(
          { detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? "" : "s"}.` },
          429,
        );
      }
      case "not_found":
        return c.json({ detail: "Not found." }, 404);
      case "validation":
        return c.json({ non_field_errors: [err.message] }, 400);
      case "forbidden":
        return c.json({ detail: "You do not have permission to perform this action." }, 403);
      default:
        break;
    }
  }
  const common = toCommonError(err);
  if (common) {
    switch (common.kind) {
      case "not_found":
        return c.json({ detail: "Not found." }, 404);
      case "method_not_allowed":
        return c.json({ detail: `Method "${c.req.method}" not allowed.` }, 405);
      case "malformed_json":
        return c.json({ detail: "JSON parse error - Expecting value: line 1 column 1 (char 0)" }, 400);
      case "unsupported_media_type":
        return c.json({ detail: `Unsupported media type "${c.req.header("content-type") ?? ""}" in request.` }, 415);
      case "payload_too_large":
        return c.json({ detail: "Request body exceeds 1048576 bytes." }, 413);
      case "validation": {
        const out: Record<string, string[]> = {};
        for (const i of common.extra.issues ?? [{ path: "", message: common.message, code: "" }]) {
          const key = i.path || "non_field_errors";
          const list = out[key] ?? [];
          list.push(i.message);
          out[key] = list;
        }
        return c.json(out, 400);
      }
      case "unauthorized":
        c.header("WWW-Authenticate", "Token");
        return c.json({ detail: common.message || "Authentication credentials were not provided." }, 401);
      case "forbidden":
        return c.json({ detail: "You do not have permission to perform this action." }, 403);
      case "rate_limited":
        if (common.extra.retryAfter !== undefined) c.header("Retry-After", String(common.extra.retryAfter));
        return c.json(
          { detail: `Request was throttled. Expected available in ${common.extra.retryAfter ?? 60} seconds.` },
          429,
        );
      case "internal":
        break;
    }
  }
  log("error", "unhandled error", {
    requestId: c.get("requestId"),
    face: "zentral",
    error: String(err),
    stack: (err as Error)?.stack,
  });
  return c.json({ detail: "A server error occurred." }, 500);
}
