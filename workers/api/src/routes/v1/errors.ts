import { DomainError, renderDomainError } from "@fleetgate/domain";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../context";
import { logDomainRefusal, logUnhandled } from "../../lib/domain-refusal";
import { type CommonErrorKind, statusOf, toCommonError } from "../../lib/http-errors";
import { NATIVE_DOMAIN_ERRORS } from "./domain-errors";

/** The native face's error: `{"error":{"code","message"}}` (linux-patch-manager.md §2). */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const CODES: Record<CommonErrorKind, [string, string | undefined]> = {
  not_found: ["not_found", "Resource not found"],
  method_not_allowed: ["method_not_allowed", "Method not allowed"],
  malformed_json: ["bad_request", "Malformed JSON in request body"],
  unsupported_media_type: ["unsupported_media_type", "Expected request with `Content-Type: application/json`"],
  payload_too_large: ["payload_too_large", "Request body exceeds 1048576 bytes"],
  validation: ["validation_error", undefined],
  unauthorized: ["unauthorized", undefined],
  forbidden: ["forbidden", undefined],
  rate_limited: ["rate_limited", "Too many requests"],
  internal: ["internal_error", "An error occurred"],
};

export function renderNative(c: Context<AppEnv>, err: unknown): Response {
  const requestId = c.get("requestId") ?? null;
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(
      { error: { code: err.code, message: err.message, request_id: requestId, details: err.details } },
      err.status,
    );
  }
  if (err instanceof DomainError) {
    logDomainRefusal(c, "native", err);
    const r = renderDomainError(NATIVE_DOMAIN_ERRORS, err);
    if ("body" in r) return r.body === null ? c.body(null, r.status) : c.json(r.body, r.status);
    for (const [k, v] of Object.entries(r.headers ?? {})) c.header(k, v);
    return c.json({ error: { code: r.code, message: r.message, request_id: requestId, details: r.details } }, r.status);
  }
  const common = toCommonError(err);
  if (common) {
    const [code, fixed] = CODES[common.kind];
    if (common.extra.retryAfter !== undefined) {
      c.header("Retry-After", String(common.extra.retryAfter));
      c.header("X-RateLimit-After", String(common.extra.retryAfter));
    }
    return c.json(
      {
        error: {
          code,
          message: fixed ?? common.message,
          request_id: requestId,
          details: common.extra.issues ?? null,
        },
      },
      statusOf[common.kind],
    );
  }
  logUnhandled(c, "native", err);
  return c.json(
    { error: { code: "internal_error", message: "An error occurred", request_id: requestId, details: null } },
    500,
  );
}
