import { and, count, desc, eq, gt, sql } from "drizzle-orm";
import { AGENT_RELEASE_PREFIX, agentReleaseManifest } from "../agent/agent-releases.service";
import { compareVersions, publishedVersions } from "../agent/agent-upgrade.service";
import { commitAudited } from "../audit/audit.service";
import type { RepoStore } from "../ports/repo-store.port";
import { type RepoPackageMeta, repoPackages, repoSyncs } from "../schema";
import type { DomainContext } from "../shared/context";
import { DomainError } from "../shared/errors";
import { newId } from "../shared/ids";
import { type AptPackage, buildAptMetadata } from "./apt-metadata";
import { debControlRange, PackageFormatError, readDebControl } from "./deb-package";
import { APT_DISTROS, YUM_DISTROS } from "./repo-distro";
import type { RepoFile } from "./repo-files";
import { clearSign, detachedSign } from "./repo-signing";
import { publishedKeyring, publishedRepoKeys, signingRepoKey } from "./repo-signing-key.service";
import { type RpmInfo, readRpmInfo, rpmHeaderEnd } from "./rpm-package";
import { buildYumMetadata, type YumPackage } from "./yum-metadata";

/**
 * The signed apt and yum repository of the agent packages (docs/agent-distribution.md "Package
 * repository"). Packages are the .deb/.rpm of the published agent releases in R2; a sync reads each
 * new one's control file / RPM header (only its first bytes) into `repo_packages`, then the metadata
 * of both repositories is generated, signed with the repository's OpenPGP key and written to R2
 * under `repo/` (served by GET /agent/v1/repo/...).
 */
export const REPO_PREFIX = "repo/";
const APT = `${REPO_PREFIX}apt/`;
const YUM = `${REPO_PREFIX}yum/`;
/** A sync still "running" after this long is considered dead and no longer blocks a new one. */
const SYNC_STALE_MS = 10 * 60_000;
const FIRST_READ = 64 * 1024;
const MAX_HEADER = 8 * 1024 * 1024;

export const aptPoolPath = (version: string, file: string) => `pool/${version}/${file}`;
export const yumPackagePath = (version: string, file: string) => `packages/${version}/${file}`;

/** The bytes of a package up to `end(prefix)`, read in growing ranges. */
async function leadingBytes(
  store: RepoStore,
  key: string,
  end: (prefix: Uint8Array) => number | undefined,
): Promise<Uint8Array> {
  let length = FIRST_READ;
  for (;;) {
    const prefix = await store.readRange(key, 0, length);
    if (!prefix) throw new PackageFormatError(`${key} is missing from storage`);
    const needed = end(prefix);
    if (needed !== undefined && needed <= prefix.length) return prefix;
    if (prefix.length < length) throw new PackageFormatError(`${key} is truncated`);
    const next = Math.max(needed ?? 0, length * 4);
    if (next > MAX_HEADER) throw new PackageFormatError(`${key}: package header larger than ${MAX_HEADER} bytes`);
    length = next;
  }
}

const DEB_ARCH = { x64: "amd64", arm64: "arm64" } as const;

interface SyncOutcome {
  synced: number;
  skipped: number;
  errors: string[];
}

/** Reads every package of every published release that is not in the repository yet. */
async function syncPackages(ctx: DomainContext, store: RepoStore): Promise<SyncOutcome> {
  const known = new Set(
    (await ctx.db.select({ kind: repoPackages.kind, filename: repoPackages.filename }).from(repoPackages).all()).map(
      (r) => `${r.kind}/${r.filename}`,
    ),
  );
  const out: SyncOutcome = { synced: 0, skipped: 0, errors: [] };
  const versions = (await publishedVersions(store)).sort(compareVersions);
  for (const version of versions) {
    let manifest: Awaited<ReturnType<typeof agentReleaseManifest>>;
    try {
      manifest = await agentReleaseManifest(store, version);
    } catch (e) {
      out.errors.push(`${version}: unreadable manifest (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    if (!manifest) continue; // a release still uploading (its manifest comes last)
    for (const p of manifest.packages) {
      if (known.has(`${p.kind}/${p.file}`)) {
        out.skipped++;
        continue;
      }
      const key = `${AGENT_RELEASE_PREFIX}${version}/${p.file}`;
      try {
        const head = await store.head(key);
        if (!head) throw new PackageFormatError("missing from storage");
        if (head.size !== p.size) throw new PackageFormatError(`stored size ${head.size} ≠ manifest size ${p.size}`);
        let meta: RepoPackageMeta;
        let pkgVersion: string;
        let arch: string;
        if (p.kind === "deb") {
          const bytes = await leadingBytes(store, key, (b) => debControlRange(b)?.end);
          const control = await readDebControl(bytes);
          pkgVersion = control.get("Version") ?? version;
          arch = control.get("Architecture") ?? DEB_ARCH[p.arch];
          meta = { kind: "deb", control: control.fields.map(([k, v]) => `${k}: ${v}`).join("\n") };
        } else {
          const bytes = await leadingBytes(store, key, rpmHeaderEnd);
          const info = readRpmInfo(bytes);
          pkgVersion = `${info.version}-${info.release}`;
          arch = info.arch;
          meta = { kind: "rpm", info: info as unknown as Record<string, unknown> };
        }
        await ctx.db
          .insert(repoPackages)
          .values({
            id: newId(),
            kind: p.kind,
            filename: p.file,
            version: pkgVersion,
            distro: p.kind === "deb" ? "debian" : "rhel",
            distroCodename: null,
            arch,
            fileSize: p.size,
            sha256: p.sha256,
            objectKey: key,
            source: `release:${version}`,
            meta,
            publishedAt: head.uploaded.getTime(),
            syncedAt: ctx.now(),
          })
          .onConflictDoNothing()
          .run();
        known.add(`${p.kind}/${p.file}`);
        out.synced++;
      } catch (e) {
        if (!(e instanceof PackageFormatError)) throw e;
        out.errors.push(`${p.file}: ${e.message}`);
      }
    }
  }
  return out;
}

/** Both repositories' metadata from `repo_packages`, signed; written to R2 (indexes before their signed roots). */
async function writeMetadata(ctx: DomainContext, store: RepoStore, armoredPrivateKey: string, publicKey: string) {
  const rows = await ctx.db.select().from(repoPackages).all();
  const at = new Date(ctx.now());
  const apt: AptPackage[] = [];
  const yum: YumPackage[] = [];
  const version = (source: string) => source.replace(/^release:/, "");
  for (const r of rows) {
    if (r.meta.kind === "deb")
      apt.push({
        control: r.meta.control,
        filename: aptPoolPath(version(r.source), r.filename),
        size: r.fileSize,
        sha256: r.sha256,
      });
    else
      yum.push({
        info: r.meta.info as unknown as RpmInfo,
        location: yumPackagePath(version(r.source), r.filename),
        size: r.fileSize,
        sha256: r.sha256,
        fileTime: Math.floor(r.publishedAt / 1000),
      });
  }
  const aptFiles = await buildAptMetadata(apt, at);
  const yumFiles = await buildYumMetadata(yum, at);
  const release = aptFiles.find((f) => f.path === "Release");
  const repomd = yumFiles.find((f) => f.path === "repodata/repomd.xml");
  if (!release || !repomd) throw new Error("metadata builders returned no Release / repomd.xml");
  const text = (f: RepoFile) => new TextDecoder().decode(f.body);
  const enc = (s: string) => new TextEncoder().encode(s);
  const signedApt: RepoFile[] = [
    {
      path: "InRelease",
      body: enc(await clearSign(text(release), armoredPrivateKey, at)),
      contentType: "text/plain; charset=utf-8",
    },
    {
      path: "Release.gpg",
      body: enc(await detachedSign(release.body, armoredPrivateKey, at)),
      contentType: "application/pgp-signature",
    },
  ];
  const repomdSig: RepoFile = {
    path: "repodata/repomd.xml.asc",
    body: enc(await detachedSign(repomd.body, armoredPrivateKey, at)),
    contentType: "application/pgp-signature",
  };
  const put = (prefix: string, f: RepoFile) => store.put(prefix + f.path, f.body, f.contentType);
  const oldYumData = (await store.keys(`${YUM}repodata/`)).filter((k) =>
    /-(primary|filelists|other)\.xml\.gz$/.test(k),
  );
  // Indexes first, then the signed roots that point at them.
  for (const f of aptFiles.filter((x) => x !== release)) await put(APT, f);
  for (const f of yumFiles.filter((x) => x !== repomd)) await put(YUM, f);
  await put(APT, release);
  for (const f of signedApt) await put(APT, f);
  await put(YUM, repomd);
  await put(YUM, repomdSig);
  await store.put(`${REPO_PREFIX}key.asc`, enc(publicKey), "application/pgp-keys");
  const current = new Set(yumFiles.map((f) => YUM + f.path));
  await store.delete(oldYumData.filter((k) => !current.has(k)));
  return { deb: apt.length, rpm: yum.length };
}

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

export interface RepoConfig {
  gpg_public_key: string;
  sources_config: string;
  distro_id: string;
  keyring_path: string;
}

/**
 * `GET /pki/repo-config`: the source entry and key for a distribution (linux-patch-manager.md §5
 * RepoConfig). `unsupported` for a distribution we have no repository for; `not_configured` before
 * the first metadata generation created the key.
 */
export async function repoConfigFor(
  ctx: Pick<DomainContext, "db">,
  distroId: string,
  baseUrl: string,
): Promise<RepoConfig | "unsupported" | "not_configured"> {
  const id = distroId.toLowerCase();
  const apt = APT_DISTROS.has(id);
  if (!apt && !YUM_DISTROS.has(id)) return "unsupported";
  // Every published key: during a signing-key rotation the old and the new one.
  const published = await publishedKeyring(ctx);
  if (!published) return "not_configured";
  const key = { publicKey: published };
  const base = `${baseUrl.replace(/\/+$/, "")}/agent/v1/repo`;
  if (apt) {
    const keyring = "/etc/apt/keyrings/fleetgate-agent.asc";
    return {
      gpg_public_key: key.publicKey,
      sources_config: `deb [signed-by=${keyring}] ${base}/apt/ ./\n`,
      distro_id: id,
      keyring_path: keyring,
    };
  }
  const keyring = "/etc/pki/rpm-gpg/RPM-GPG-KEY-fleetgate-agent";
  return {
    gpg_public_key: key.publicKey,
    // Only the metadata is signed (repo_gpgcheck); it pins each package's sha256, so gpgcheck is off.
    sources_config: [
      "[fleetgate-agent]",
      "name=Fleetgate agent",
      `baseurl=${base}/yum/`,
      "enabled=1",
      "gpgcheck=0",
      "repo_gpgcheck=1",
      `gpgkey=file://${keyring}`,
      "",
    ].join("\n"),
    distro_id: id,
    keyring_path: keyring,
  };
}
