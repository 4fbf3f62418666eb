import { type RepoStore, r2RepoStore } from "@fleetgate/domain";
import type { Context } from "hono";
import type { AppEnv } from "../context";

/** The package repository's storage port: the EXPORTS bucket (agent/releases/ and repo/). */
export function repoStore(c: Context<AppEnv>): RepoStore {
  return r2RepoStore(c.env.EXPORTS);
}
