import { type DomainError, log } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../context";
import type { FaceName } from "../dialects";

/**
 * Logs a domain refusal's internal reason with the request id (the reason never
 * reaches the wire; the face renders only the code's public shape).
 */
export function logDomainRefusal(c: Context<AppEnv>, face: FaceName, err: DomainError): void {
  if (err.reason === undefined) return;
  log("info", "domain refusal", { requestId: c.get("requestId"), face, code: err.code, reason: err.reason });
}

/** Logs an error no face could classify (the face then answers its generic 500); the stack stays in the log. */
export function logUnhandled(c: Context<AppEnv>, face: FaceName, err: unknown): void {
  log("error", "unhandled error", {
    requestId: c.get("requestId"),
    face,
    error: String(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
}
