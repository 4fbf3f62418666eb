import type { IdentityRow } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { ApiError } from "./errors";

/** The authenticated identity (set by requireAuth); a route without auth calling this is a bug → 401. */
export function currentIdentity(c: Context<AppEnv>): IdentityRow {
  const identity = c.get("identity");
  if (!identity) throw new ApiError(401, "unauthorized", "Missing authorization token");
  return identity;
}
