import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, id, json, ms } from "./columns";

/**
 * The OpenPGP key that signs the package repository's metadata. The armored private key is stored
 * only wrapped with MASTER_KEY (AES-256-GCM, `encrypt` of @fleetgate/auth); the newest row without
 * `retired_at` signs.
 */
export const repoSigningKeys = sqliteTable("repo_signing_keys", {
  id: id(),
  fingerprint: text("fingerprint").notNull(),
  publicKey: text("public_key").notNull(),
  privateKeyEnc: text("private_key_enc").notNull(),
  createdAt: createdAt(),
  retiredAt: ms("retired_at"),
});

/** What the Worker read from a package when it was synced into the repository. */
export type RepoPackageMeta = { kind: "deb"; control: string } | { kind: "rpm"; info: Record<string, unknown> };

/** Every .deb and .rpm in the repository: one row per file of a published agent release. */
export const repoPackages = sqliteTable(
  "repo_packages",
  {
    id: id(),
    kind: text("kind", { enum: ["deb", "rpm"] }).notNull(),
    filename: text("filename").notNull(),
    version: text("version").notNull(),
    distro: text("distro").notNull(),
    distroCodename: text("distro_codename"),
    arch: text("arch").notNull(),
    fileSize: integer("file_size").notNull(),
    sha256: text("sha256").notNull(),
    /** The object in R2 (EXPORTS) the pool path serves. */
    objectKey: text("object_key").notNull(),
    source: text("source").notNull(),
    meta: json<RepoPackageMeta>("meta").notNull(),
    publishedAt: ms("published_at").notNull(),
    syncedAt: ms("synced_at").notNull(),
  },
  (t) => [uniqueIndex("repo_packages_kind_file").on(t.kind, t.filename)],
);

/** One sync + metadata regeneration run (GET /admin/repo/sync-status). */
export const repoSyncs = sqliteTable("repo_syncs", {
  id: id(),
  triggeredBy: text("triggered_by", { enum: ["manual", "deploy", "cron"] }).notNull(),
  status: text("status", { enum: ["running", "success", "partial", "failed"] }).notNull(),
  packagesSynced: integer("packages_synced").notNull().default(0),
  packagesSkipped: integer("packages_skipped").notNull().default(0),
  errorMessage: text("error_message"),
  startedAt: ms("started_at").notNull(),
  finishedAt: ms("finished_at"),
});
