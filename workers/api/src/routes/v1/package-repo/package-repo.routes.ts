import {
  errorResponses,
  json,
  RepoConfig,
  RepoConfigQuery,
  RepoKeyRetired,
  RepoKeyRotated,
  RepoPackageList,
  RepoRegenerated,
  RepoRegenerateRequest,
  RepoSyncStatus,
} from "@fleetgate/contract";
import { createRoute } from "@hono/zod-openapi";
import { protectedRoute } from "../route";

const tags = ["Package repository"];
const P = "/admin/repo";

export const packages = protectedRoute(P, "admin", {
  method: "get",
  path: "/packages",
  tags,
  summary: "The .deb and .rpm packages in the agent repository (newest first, at most 200)",
  responses: { 200: json(RepoPackageList), ...errorResponses(401, 403) },
});

export const syncStatus = protectedRoute(P, "admin", {
  method: "get",
  path: "/sync-status",
  tags,
  summary: "The 10 most recent repository syncs and the number of packages",
  responses: { 200: json(RepoSyncStatus), ...errorResponses(401, 403) },
});

export const regenerate = protectedRoute(P, "admin", {
  method: "post",
  path: "/regenerate-metadata",
  tags,
  summary:
    "Sync the packages of every published agent release and regenerate the signed apt and yum metadata (one run at a time)",
  request: { body: { required: false, content: { "application/json": { schema: RepoRegenerateRequest } } } },
  responses: { 200: json(RepoRegenerated), ...errorResponses(400, 401, 403, 409) },
});

export const rotateKey = protectedRoute(P, "admin", {
  method: "post",
  path: "/signing-key/rotate",
  tags,
  summary:
    "Create a new repository signing key and re-sign the metadata with it; the old key stays published (repo-config, key.asc) until retired",
  responses: { 200: json(RepoKeyRotated), ...errorResponses(401, 403, 409) },
});

export const retireKeys = protectedRoute(P, "admin", {
  method: "post",
  path: "/signing-key/retire-previous",
  tags,
  summary: "End a rotation's overlap: retire every published key but the newest (409 when only one is published)",
  responses: { 200: json(RepoKeyRetired), ...errorResponses(401, 403, 409) },
});

export const repoConfig = createRoute({
  method: "get",
  path: "/pki/repo-config",
  tags,
  summary: "The package source entry and signing key for a distribution (public; linux-patch-manager.md §5)",
  security: [],
  request: { query: RepoConfigQuery },
  responses: {
    200: json(RepoConfig),
    ...errorResponses(400, 404),
  },
});
