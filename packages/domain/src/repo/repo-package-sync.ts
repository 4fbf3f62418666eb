import { AGENT_RELEASE_PREFIX, agentReleaseManifest } from "../agent/agent-releases.service";
import { compareVersions, publishedVersions } from "../agent/agent-upgrade.service";
import type { RepoStore } from "../ports/repo-store.port";
import { type RepoPackageMeta, repoPackages } from "../schema";
import type { DomainContext } from "../shared/context";
import { newId } from "../shared/ids";
import { debControlRange, PackageFormatError, readDebControl } from "./deb-package";
import { readRpmInfo, rpmHeaderEnd } from "./rpm-package";

const FIRST_READ = 64 * 1024;
const MAX_HEADER = 8 * 1024 * 1024;

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

export interface SyncOutcome {
  synced: number;
  skipped: number;
  errors: string[];
}

/** Reads every package of every published release that is not in the repository yet. */
export async function syncPackages(ctx: DomainContext, store: RepoStore): Promise<SyncOutcome> {
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
