import { iso } from "@fleetgate/contract";
import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { domain, publicBase } from "../../../lib/domain-context";
import { repoStore } from "../../../lib/repo-store";
import { ApiError } from "../errors";
import type * as r from "./package-repo.routes";

export const packagesHandler: RouteHandler<typeof r.packages, AppEnv> = async (c) => {
  const rows = await svc.listRepoPackages(await domain(c));
  const packages = rows.map((p) => ({
    id: p.id,
    filename: p.filename,
    version: p.version,
    distro: p.distro,
    distro_codename: p.distroCodename,
    arch: p.arch,
    file_size: p.fileSize,
    source: p.source,
    synced_at: iso(p.syncedAt),
    sha256: p.sha256,
  }));
  return c.json({ packages, count: packages.length }, 200);
};

export const syncStatusHandler: RouteHandler<typeof r.syncStatus, AppEnv> = async (c) => {
  const { recent, totalPackages } = await svc.repoSyncStatus(await domain(c));
  return c.json(
    {
      recent_syncs: recent.map((s) => ({
        id: s.id,
        triggered_by: s.triggeredBy,
        status: s.status,
        packages_synced: s.packagesSynced,
        packages_skipped: s.packagesSkipped,
        error_message: s.errorMessage,
        started_at: iso(s.startedAt),
        finished_at: s.finishedAt === null ? null : iso(s.finishedAt),
      })),
      total_packages: totalPackages,
    },
    200,
  );
};

export const regenerateHandler: RouteHandler<typeof r.regenerate, AppEnv> = async (c) => {
  const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : undefined;
  const result = await svc.regenerateRepository(await domain(c), repoStore(c), body?.triggered_by ?? "manual");
  return c.json(
    {
      message: "Repository metadata regenerated",
      sync_id: result.syncId,
      status: result.status,
      packages_synced: result.packagesSynced,
      packages_skipped: result.packagesSkipped,
      total_packages: result.totalPackages,
      errors: result.errors,
      fingerprint: result.fingerprint,
    },
    200,
  );
};

export const repoConfigHandler: RouteHandler<typeof r.repoConfig, AppEnv> = async (c) => {
  const { distro_id } = c.req.valid("query");
  if (!distro_id) throw new ApiError(400, "missing_param", "distro_id query parameter is required");
  const config = await svc.repoConfigFor(await domain(c), distro_id, publicBase(c));
  if (config === "unsupported") throw new ApiError(400, "unsupported_distro", `Unsupported distro_id: ${distro_id}`);
  if (config === "not_configured")
    throw new ApiError(404, "repo_not_configured", "GPG public key not available on this manager");
  return c.json(config, 200, { "Cache-Control": "max-age=3600" });
};

export const rotateKeyHandler: RouteHandler<typeof r.rotateKey, AppEnv> = async (c) => {
  const result = await svc.rotateRepoKey(await domain(c), repoStore(c));
  return c.json(
    {
      message: "Repository signing key rotated",
      fingerprint: result.fingerprint,
      published_fingerprints: result.published,
      sync_id: result.syncId,
      status: result.status,
    },
    200,
  );
};

export const retireKeysHandler: RouteHandler<typeof r.retireKeys, AppEnv> = async (c) => {
  const result = await svc.retirePreviousRepoKeys(await domain(c), repoStore(c));
  return c.json(
    {
      message: "Previous repository signing keys retired",
      fingerprint: result.fingerprint,
      retired_fingerprints: result.retired,
    },
    200,
  );
};
