import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";

/**
 * The agent package repository (linux-patch-manager.md §4/§5 RepoConfig, the reference SPA's
 * repository page; docs/agent-distribution.md "Package repository").
 */
export const RepoConfigQuery = z.object({
  distro_id: z
    .string()
    .max(64)
    .optional()
    .openapi({ param: { name: "distro_id", in: "query" }, example: "debian", description: "os-release ID" }),
  codename: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9._-]*$/, "Invalid codename")
    .optional()
    .openapi({ param: { name: "codename", in: "query" }, example: "bookworm" }),
});

export const RepoConfig = z
  .object({
    gpg_public_key: z.string(),
    sources_config: z.string(),
    distro_id: z.string(),
    keyring_path: z.string(),
  })
  .openapi("RepoConfig");

export const RepoPackage = z
  .object({
    id: Uuid,
    filename: z.string(),
    version: z.string(),
    distro: z.string(),
    distro_codename: z.string().nullable(),
    arch: z.string(),
    file_size: z.number().int(),
    source: z.string(),
    synced_at: Timestamp,
    sha256: z.string(),
  })
  .openapi("RepoPackage");
export const RepoPackageList = z
  .object({ packages: z.array(RepoPackage), count: z.number().int() })
  .openapi("RepoPackageList");

export const RepoSync = z
  .object({
    id: Uuid,
    triggered_by: z.enum(["manual", "deploy", "cron"]),
    status: z.enum(["running", "success", "partial", "failed"]),
    packages_synced: z.number().int(),
    packages_skipped: z.number().int(),
    error_message: z.string().nullable(),
    started_at: Timestamp,
    finished_at: Timestamp.nullable(),
  })
  .openapi("RepoSync");
export const RepoSyncStatus = z
  .object({ recent_syncs: z.array(RepoSync), total_packages: z.number().int() })
  .openapi("RepoSyncStatus");

export const RepoRegenerateRequest = z
  .object({
    /** `deploy` when called by the deployment's upload step (scripts/publish-agent.mjs). */
    triggered_by: z.enum(["manual", "deploy"]).default("manual"),
  })
  .openapi("RepoRegenerateRequest");

export const RepoRegenerated = z
  .object({
    message: z.string(),
    sync_id: Uuid,
    status: z.enum(["success", "partial"]),
    packages_synced: z.number().int(),
    packages_skipped: z.number().int(),
    total_packages: z.number().int(),
    errors: z.array(z.string()),
    fingerprint: z.string(),
  })
  .openapi("RepoRegenerated");

export const RepoKeyRotated = z
  .object({
    message: z.string(),
    /** The new key: it signs the metadata from now on. */
    fingerprint: z.string(),
    /** Every published key (old and new) until the old one is retired. */
    published_fingerprints: z.array(z.string()),
    sync_id: Uuid,
    status: z.enum(["success", "partial"]),
  })
  .openapi("RepoKeyRotated");

export const RepoKeyRetired = z
  .object({ message: z.string(), fingerprint: z.string(), retired_fingerprints: z.array(z.string()) })
  .openapi("RepoKeyRetired");
