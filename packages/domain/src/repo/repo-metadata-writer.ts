import type { RepoStore } from "../ports/repo-store.port";
import { repoPackages } from "../schema";
import type { DomainContext } from "../shared/context";
import { type AptPackage, buildAptMetadata } from "./apt-metadata";
import type { RepoFile } from "./repo-files";
import { APT, aptPoolPath, REPO_PREFIX, YUM, yumPackagePath } from "./repo-paths";
import { clearSign, detachedSign } from "./repo-signing";
import type { RpmInfo } from "./rpm-package";
import { buildYumMetadata, type YumPackage } from "./yum-metadata";

/** Both repositories' metadata from `repo_packages`, signed; written to R2 (indexes before their signed roots). */
export async function writeMetadata(
  ctx: DomainContext,
  store: RepoStore,
  armoredPrivateKey: string,
  publicKey: string,
) {
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
