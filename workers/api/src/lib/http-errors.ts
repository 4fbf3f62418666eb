import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";

/**
 * The errors every face can raise, independent of wire shape. Each face's
 * `onError` renders these in its own dialect (see routes/<face>/errors.ts).
 */
export type CommonErrorKind =
  | "not_found"
  | "method_not_allowed"
  | "malformed_json"
  | "unsupported_media_type"
  | "payload_too_large"
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "rate_limited"
  | "internal";

export class CommonError extends Error {
  constructor(
    readonly kind: CommonErrorKind,
    message: string,
    readonly extra: {
      issues?: ValidationIssue[];
      retryAfter?: number;
      contentType?: string;
      /** The failed zod issues and the input they refer to (faces that report the value, e.g. Ziti's cause). */
      zod?: { issues: ZodError["issues"]; input: unknown };
    } = {},
  ) {
    super(message);
    this.name = "CommonError";
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
  code: string;
}

export const statusOf: Record<CommonErrorKind, 400 | 401 | 403 | 404 | 405 | 413 | 415 | 429 | 500> = {
  not_found: 404,
  method_not_allowed: 405,
  malformed_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  internal: 500,
};

/** Normalises framework errors (Hono validator, body limit, zod) into a CommonError, or undefined. */
export function toCommonError(err: unknown): CommonError | undefined {
  if (err instanceof CommonError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 415) return new CommonError("unsupported_media_type", "Unsupported media type");
    if (err.status === 413) return new CommonError("payload_too_large", "Request body too large");
    if (err.status === 400 && /JSON/i.test(err.message)) return new CommonError("malformed_json", err.message);
    if (err.status === 400) return new CommonError("validation", err.message || "Bad request");
    if (err.status === 401) return new CommonError("unauthorized", err.message || "Unauthorized");
    if (err.status === 403) return new CommonError("forbidden", err.message || "Forbidden");
    if (err.status === 404) return new CommonError("not_found", err.message || "Not found");
  }
  if (err instanceof ZodError) return validationError(err);
  return undefined;
}

/** Turns zod issues into a validation CommonError with dotted paths (`input`: what was validated, when known). */
export function validationError(err: ZodError, input?: unknown): CommonError {
  const issues = err.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message,
    code: i.code,
  }));
  const first = issues[0];
  const msg = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : "Invalid request";
  return new CommonError("validation", msg, { issues, zod: { issues: err.issues, input } });
}
