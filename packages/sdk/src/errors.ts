/**
 * Typed errors of the SDK. Every failed call throws one of these; `code` is the API's
 * own error code (native face: `{"error":{"code","message"}}`) when there is one.
 */
export class FleetgateError extends Error {
  override readonly name: string = "FleetgateError";
  constructor(
    message: string,
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    /** The API's error code (e.g. `not_found`, `conflict`), or a local one (`network_error`, `timeout`). */
    readonly code: string,
    /** The server's request id (`X-Request-Id`), for support. */
    readonly requestId?: string,
    /** The decoded error body. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** 400 / 415 / 422: the request was refused as invalid. */
export class ValidationError extends FleetgateError {
  override readonly name = "ValidationError";
}
/** 401: no valid credentials (expired, revoked, or none). */
export class AuthenticationError extends FleetgateError {
  override readonly name = "AuthenticationError";
}
/** 403: authenticated but not allowed. */
export class PermissionError extends FleetgateError {
  override readonly name = "PermissionError";
}
/** 404 */
export class NotFoundError extends FleetgateError {
  override readonly name = "NotFoundError";
}
/** 409 / 423: conflicts with the current state (duplicate, lock, wrong state). */
export class ConflictError extends FleetgateError {
  override readonly name = "ConflictError";
}
/** 429: rate-limited; `retryAfterSeconds` from `Retry-After` when the server sent it. */
export class RateLimitError extends FleetgateError {
  override readonly name = "RateLimitError";
  retryAfterSeconds?: number;
}
/** 5xx */
export class ServerError extends FleetgateError {
  override readonly name = "ServerError";
}
/** No response: DNS, connection refused, reset, TLS. */
export class NetworkError extends FleetgateError {
  override readonly name = "NetworkError";
}
/** A wait (`waitAndDownload`, `jobs.wait`) ran out of time. */
export class WaitTimeoutError extends FleetgateError {
  override readonly name = "WaitTimeoutError";
}

/** `{code, message}` from any of the faces' error shapes (native, DRF, ctrl-exec, Ziti). */
export function describeErrorBody(body: unknown): { code?: string; message?: string } {
  if (typeof body !== "object" || body === null) return {};
  const b = body as Record<string, unknown>;
  const err = b.error;
  if (typeof err === "object" && err !== null) {
    const e = err as Record<string, unknown>;
    return {
      code: typeof e.code === "string" ? e.code : undefined,
      message: typeof e.message === "string" ? e.message : undefined,
    };
  }
  if (typeof err === "string") return { message: err };
  if (typeof b.detail === "string") return { message: b.detail };
  const fields = Object.entries(b).filter(([, v]) => Array.isArray(v) && v.every((x) => typeof x === "string"));
  if (fields.length > 0) return { message: fields.map(([k, v]) => `${k}: ${(v as string[]).join(" ")}`).join("; ") };
  return {};
}

/** The typed error for an HTTP error response whose body was already decoded. */
export function errorFromResponse(res: Response, body: unknown): FleetgateError {
  const { code, message } = describeErrorBody(body);
  const requestId = res.headers.get("x-request-id") ?? undefined;
  const text = message ?? `HTTP ${res.status}`;
  const c = code ?? `http_${res.status}`;
  const s = res.status;
  if (s === 401) return new AuthenticationError(text, s, c, requestId, body);
  if (s === 403) return new PermissionError(text, s, c, requestId, body);
  if (s === 404) return new NotFoundError(text, s, c, requestId, body);
  if (s === 409 || s === 423) return new ConflictError(text, s, c, requestId, body);
  if (s === 429) {
    const e = new RateLimitError(text, s, c, requestId, body);
    const ra = Number(res.headers.get("retry-after"));
    if (Number.isFinite(ra) && ra >= 0) e.retryAfterSeconds = ra;
    return e;
  }
  if (s >= 500) return new ServerError(text, s, c, requestId, body);
  if (s >= 400) return new ValidationError(text, s, c, requestId, body);
  return new FleetgateError(text, s, c, requestId, body);
}

/** Reads a response body as JSON when it is JSON, else as text (never throws). */
export async function readBody(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => "");
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
