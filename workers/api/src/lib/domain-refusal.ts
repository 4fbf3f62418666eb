import { type DomainError, log } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../context";
import type { FaceName } from "./face";

/**
 * Logs a domain refusal's internal reason with the request id (the reason never
 * reaches the wire; the face renders only the code's public shape).
 */
export function logDomainRefusal(c: Context<AppEnv>, face: FaceName, err: DomainError): void {
  if (err.reason === undefined) return;
  log("info", "domain refusal", { requestId: c.get("requestId"), face, code: err.code, reason: err.reason });
}
