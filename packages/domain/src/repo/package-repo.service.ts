import { and, count, desc, eq, gt, sql } from "drizzle-orm";
import { AGENT_RELEASE_PREFIX } from "../agent/agent-releases.service";
import { commitAudited } from "../audit/audit.service";
import type { RepoStore } from "../ports/repo-store.port";
import { repoPackages, repoSyncs } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { writeMetadata } from "./repo-metadata-writer";
import { syncPackages } from "./repo-package-sync";
import { REPO_PREFIX } from "./repo-paths";
import { publishedKeyring, publishedRepoKeys, signingRepoKey } from "./repo-signing-key.service";

/**
 * The signed apt and yum repository of the agent packages (docs/agent-distribution.md "Package
 * repository"). Packages are the .deb/.rpm of the published agent releases in R2; a sync reads each
 * new one's control file / RPM header (only its first bytes) into `repo_packages`, then the metadata
 * of both repositories is generated, signed with the repository's OpenPGP key and written to R2
 * under `repo/` (served by GET /agent/v1/repo/...).
 * The package sync is repo-package-sync.ts, the metadata repo-metadata-writer.ts, the source
 * entries repo-config.ts.
 */

/** A sync still "running" after this long is considered dead and no longer blocks a new one. */
const SYNC_STALE_MS = 10 * 60_000;

export interface RepoSyncResult {
  syncId: string;
  status: "success" | "partial";
  packagesSynced: number;
  packagesSkipped: number;
  totalPackages: number;
  errors: string[];
  fingerprint: string;
}

/**
 * `POST /admin/repo/regenerate-metadata` (and the deploy step, and the cron sweep): sync new
 * packages from the published releases, regenerate and sign both repositories' metadata. One run
 * at a time (409 while another runs); audited as `repo.regenerate` (and `repo.signing_key.create`
 * when the first run creates the key).
 */
export async function regenerateRepository(
  ctx: DomainContext,
  store: RepoStore,
  triggeredBy: "manual" | "deploy" | "cron",
  opts: { rotateKey?: boolean } = {},
): Promise<RepoSyncResult> {
  const syncId = newId();
  const startedAt = ctx.now();
  // Claim the run: inserted only if no other run is in progress (atomic in one statement).
  const claimed = await ctx.db
    .insert(repoSyncs)
    .select(
      sql`SELECT ${syncId}, ${triggeredBy}, 'running', 0, 0, NULL, ${startedAt}, NULL
          WHERE NOT EXISTS (SELECT 1 FROM ${repoSyncs} WHERE ${repoSyncs.status} = 'running' AND ${repoSyncs.startedAt} > ${startedAt - SYNC_STALE_MS})`,
    )
    .run();
  if ((claimed.meta.changes ?? 0) === 0)
    throw new DomainError("common.conflict", "A repository sync is already running");
  try {
    const outcome = await syncPackages(ctx, store);
    const before = opts.rotateKey ? await publishedRepoKeys(ctx) : [];
    if (opts.rotateKey && before.length === 0)
      throw new DomainError("common.conflict", "The repository has no signing key to rotate yet");
    const signing = await signingRepoKey(ctx, { rotate: opts.rotateKey === true });
    if (signing.insert)
      await commitAudited(ctx, [signing.insert], {
        action: opts.rotateKey ? "repo.signing_key.rotate" : "repo.signing_key.create",
        targetType: "repo_signing_key",
        targetId: signing.key.id,
        detail: {
          fingerprint: signing.key.fingerprint,
          algorithm: "EdDSA (Ed25519)",
          ...(opts.rotateKey ? { still_published: before.map((k) => k.fingerprint) } : {}),
        },
      });
    const keyring = (await publishedKeyring(ctx)) ?? signing.key.publicKey;
    const written = await writeMetadata(ctx, store, signing.armoredPrivateKey, keyring);
    const status = outcome.errors.length > 0 ? "partial" : "success";
    const errorMessage = outcome.errors.length > 0 ? outcome.errors.join("; ").slice(0, 2000) : null;
    await commitAudited(
      ctx,
      [
        ctx.db
          .update(repoSyncs)
          .set({
            status,
            packagesSynced: outcome.synced,
            packagesSkipped: outcome.skipped,
            errorMessage,
            finishedAt: ctx.now(),
          })
          .where(eq(repoSyncs.id, syncId)),
      ],
      {
        action: "repo.regenerate",
        targetType: "repo_sync",
        targetId: syncId,
        detail: {
          triggered_by: triggeredBy,
          status,
          packages_synced: outcome.synced,
          packages_skipped: outcome.skipped,
          deb: written.deb,
          rpm: written.rpm,
          fingerprint: signing.key.fingerprint,
        },
      },
    );
    return {
      syncId,
      status,
      packagesSynced: outcome.synced,
      packagesSkipped: outcome.skipped,
      totalPackages: written.deb + written.rpm,
      errors: outcome.errors,
      fingerprint: signing.key.fingerprint,
    };
  } catch (e) {
    await ctx.db
      .update(repoSyncs)
      .set({ status: "failed", errorMessage: "Metadata generation failed", finishedAt: ctx.now() })
      .where(eq(repoSyncs.id, syncId))
      .run();
    throw e;
  }
}

/** `GET /admin/repo/packages`: newest first (at most 200). */
export async function listRepoPackages(ctx: Pick<DomainContext, "db">) {
  return ctx.db
    .select()
    .from(repoPackages)
    .orderBy(desc(repoPackages.syncedAt), repoPackages.filename)
    .limit(200)
    .all();
}

/** `GET /admin/repo/sync-status`: the 10 most recent runs and the package count. */
export async function repoSyncStatus(ctx: Pick<DomainContext, "db">) {
  const recent = await ctx.db.select().from(repoSyncs).orderBy(desc(repoSyncs.startedAt)).limit(10).all();
  const total = await ctx.db.select({ n: count() }).from(repoPackages).get();
  return { recent, totalPackages: total?.n ?? 0 };
}

/** Whether a release was published after the last successful run (the cron sweep's trigger). */
export async function repositoryIsStale(ctx: Pick<DomainContext, "db">, store: RepoStore): Promise<boolean> {
  const latest = await store.head(`${AGENT_RELEASE_PREFIX}latest.json`);
  if (!latest) return false;
  const done = await ctx.db
    .select({ id: repoSyncs.id })
    .from(repoSyncs)
    .where(and(sql`${repoSyncs.status} IN ('success', 'partial')`, gt(repoSyncs.startedAt, latest.uploaded.getTime())))
    .limit(1)
    .get();
  return !done;
}

/** A metadata file of the repository (`apt/InRelease`, `yum/repodata/repomd.xml`, `key.asc`…), from R2. */
export async function repoMetadataFile(store: RepoStore, path: string) {
  return store.get(REPO_PREFIX + path);
}

/** The R2 object behind a pool path (`apt` + pool/<version>/<file>, `yum` + packages/<version>/<file>). */
export async function repoPackageObject(
  ctx: Pick<DomainContext, "db">,
  kind: "deb" | "rpm",
  version: string,
  file: string,
) {
  const row = await ctx.db
    .select({
      objectKey: repoPackages.objectKey,
      source: repoPackages.source,
      size: repoPackages.fileSize,
      sha256: repoPackages.sha256,
    })
    .from(repoPackages)
    .where(and(eq(repoPackages.kind, kind), eq(repoPackages.filename, file)))
    .get();
  return row && row.source === `release:${version}` ? row : undefined;
}
