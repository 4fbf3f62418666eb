/**
 * The canonical text of an installed-package set: one line per package
 * (`name:arch`, version, source, source version, status; tab-separated), sorted.
 * Its SHA-256 is the inventory hash agent and server agree on (diffs name their base by it).
 */
export interface HashablePackage {
  name: string;
  arch: string;
  version: string;
  source: string;
  source_version: string;
  status: string;
}

export function canonicalPackageText(packages: readonly HashablePackage[]): string {
  return packages
    .map((p) => [`${p.name}:${p.arch}`, p.version, p.source, p.source_version, p.status].join("\t"))
    .sort()
    .join("\n");
}

/** SHA-256 (hex) of the canonical text, with WebCrypto (the Worker and Node alike). */
export async function packageSetHash(packages: readonly HashablePackage[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonicalPackageText(packages)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
