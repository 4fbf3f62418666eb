import { gzip, type RepoFile, sha256Hex, utf8 } from "./repo-files";
import type { RpmDependency, RpmInfo } from "./rpm-package";

/**
 * yum/dnf repository metadata (the createrepo format): `repodata/<sha256>-primary.xml.gz`,
 * `-filelists.xml.gz`, `-other.xml.gz` and `repodata/repomd.xml` pointing at them; the caller adds
 * the detached signature `repodata/repomd.xml.asc` (dnf's `repo_gpgcheck`).
 */
export interface YumPackage {
  info: RpmInfo;
  /** Path below the repository base, e.g. `packages/0.1.0/fleetgate-agent-0.1.0-1.x86_64.rpm`. */
  location: string;
  size: number;
  sha256: string;
  /** Seconds since the epoch: when the file was published. */
  fileTime: number;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

const version = (i: RpmInfo) => `<version epoch="${i.epoch}" ver="${esc(i.version)}" rel="${esc(i.release)}"/>`;

function entry(d: RpmDependency): string {
  const attrs = [`name="${esc(d.name)}"`];
  if (d.flags) {
    attrs.push(`flags="${d.flags}"`, `epoch="${esc(d.epoch ?? "0")}"`, `ver="${esc(d.ver ?? "")}"`);
    if (d.rel !== undefined) attrs.push(`rel="${esc(d.rel)}"`);
  }
  if (d.pre) attrs.push(`pre="1"`);
  return `<rpm:entry ${attrs.join(" ")}/>`;
}

/** createrepo lists in primary only the files under an `/etc`, a `bin/` directory and /usr/lib/sendmail. */
const primaryFile = (path: string) => path.startsWith("/etc/") || path.includes("bin/") || path === "/usr/lib/sendmail";

const fileLine = (f: RpmInfo["files"][number]) =>
  `<file${f.dir ? ' type="dir"' : f.ghost ? ' type="ghost"' : ""}>${esc(f.path)}</file>`;

function primaryPackage(p: YumPackage): string {
  const i = p.info;
  return [
    `<package type="rpm">`,
    `<name>${esc(i.name)}</name>`,
    `<arch>${esc(i.arch)}</arch>`,
    version(i),
    `<checksum type="sha256" pkgid="YES">${p.sha256}</checksum>`,
    `<summary>${esc(i.summary)}</summary>`,
    `<description>${esc(i.description)}</description>`,
    `<packager>${esc(i.packager)}</packager>`,
    `<url>${esc(i.url)}</url>`,
    `<time file="${p.fileTime}" build="${i.buildTime}"/>`,
    `<size package="${p.size}" installed="${i.installedSize}" archive="${i.archiveSize}"/>`,
    `<location href="${esc(p.location)}"/>`,
    `<format>`,
    `<rpm:license>${esc(i.license)}</rpm:license>`,
    `<rpm:vendor>${esc(i.vendor)}</rpm:vendor>`,
    `<rpm:group>${esc(i.group)}</rpm:group>`,
    `<rpm:buildhost>${esc(i.buildHost)}</rpm:buildhost>`,
    `<rpm:sourcerpm>${esc(i.sourceRpm)}</rpm:sourcerpm>`,
    `<rpm:header-range start="${i.headerStart}" end="${i.headerEnd}"/>`,
    `<rpm:provides>${i.provides.map(entry).join("")}</rpm:provides>`,
    `<rpm:requires>${i.requires.map(entry).join("")}</rpm:requires>`,
    ...i.files.filter((f) => primaryFile(f.path)).map(fileLine),
    `</format>`,
    `</package>`,
  ].join("\n");
}

const XML = `<?xml version="1.0" encoding="UTF-8"?>\n`;

async function dataFile(type: string, xml: string, at: number) {
  const open = utf8(xml);
  const body = await gzip(open);
  const sha = await sha256Hex(body);
  const path = `repodata/${sha}-${type}.xml.gz`;
  const record = [
    `<data type="${type}">`,
    `<checksum type="sha256">${sha}</checksum>`,
    `<open-checksum type="sha256">${await sha256Hex(open)}</open-checksum>`,
    `<location href="${path}"/>`,
    `<timestamp>${at}</timestamp>`,
    `<size>${body.length}</size>`,
    `<open-size>${open.length}</open-size>`,
    `</data>`,
  ].join("\n");
  return { file: { path, body, contentType: "application/gzip" } satisfies RepoFile, record };
}

/** The three data files and repomd.xml (unsigned), packages sorted for stable output. */
export async function buildYumMetadata(packages: YumPackage[], at: Date): Promise<RepoFile[]> {
  const sorted = [...packages].sort((a, b) => a.location.localeCompare(b.location));
  const n = sorted.length;
  const ident = (p: YumPackage) =>
    `<package pkgid="${p.sha256}" name="${esc(p.info.name)}" arch="${esc(p.info.arch)}">\n${version(p.info)}`;
  const primary = `${XML}<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${n}">\n${sorted.map(primaryPackage).join("\n")}\n</metadata>\n`;
  const filelists = `${XML}<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="${n}">\n${sorted
    .map((p) => `${ident(p)}\n${p.info.files.map(fileLine).join("\n")}\n</package>`)
    .join("\n")}\n</filelists>\n`;
  const other = `${XML}<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="${n}">\n${sorted
    .map((p) => `${ident(p)}\n</package>`)
    .join("\n")}\n</otherdata>\n`;
  const seconds = Math.floor(at.getTime() / 1000);
  const data = await Promise.all([
    dataFile("primary", primary, seconds),
    dataFile("filelists", filelists, seconds),
    dataFile("other", other, seconds),
  ]);
  const repomd = `${XML}<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n<revision>${seconds}</revision>\n${data
    .map((d) => d.record)
    .join("\n")}\n</repomd>\n`;
  return [
    ...data.map((d) => d.file),
    { path: "repodata/repomd.xml", body: utf8(repomd), contentType: "application/xml" },
  ];
}
