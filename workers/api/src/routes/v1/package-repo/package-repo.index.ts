import { operation as op, routerOf } from "../../../lib/route-set";
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
export const repoAdminRouter = routerOf(
  op(packages, packagesHandler),
  op(syncStatus, syncStatusHandler),
  op(regenerate, regenerateHandler),
  op(rotateKey, rotateKeyHandler),
  op(retireKeys, retireKeysHandler),
);

/** `GET /pki/repo-config` (public): the source entry and key for a distribution. */
export const repoConfigRouter = routerOf(op(repoConfig, repoConfigHandler));
