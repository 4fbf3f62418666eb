import { createRouter } from "../../../lib/router";
import {
  packagesHandler,
  regenerateHandler,
  repoConfigHandler,
  retireKeysHandler,
  rotateKeyHandler,
  syncStatusHandler,
} from "./package-repo.handlers";
import { packages, regenerate, repoConfig, retireKeys, rotateKey, syncStatus } from "./package-repo.routes";

/** `/admin/repo/*` (admin): the agent package repository (docs/agent-distribution.md "Package repository"). */
export const repoAdminRouter = createRouter()
  .openapi(packages, packagesHandler)
  .openapi(syncStatus, syncStatusHandler)
  .openapi(regenerate, regenerateHandler)
  .openapi(rotateKey, rotateKeyHandler)
  .openapi(retireKeys, retireKeysHandler);

/** `GET /pki/repo-config` (public): the source entry and key for a distribution. */
export const repoConfigRouter = createRouter().openapi(repoConfig, repoConfigHandler);
