import type { ReleaseStore } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../context";

/** The storage port for agent releases: the EXPORTS bucket (prefix agent/releases/). */
export function agentReleaseStore(c: Context<AppEnv>): ReleaseStore {
  return c.env.EXPORTS;
}
