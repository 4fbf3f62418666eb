import { type ControlParagraph, parseControl } from "./deb-package";
import { gzip, type RepoFile, sha256Hex, utf8 } from "./repo-files";

/**
 * apt metadata of a flat repository (sources entry `deb [signed-by=…] <base>/apt/ ./`): `Packages`
 * (+ `.gz`) listing every .deb with its control fields, pool path, size and SHA256, and `Release`
 * with the SHA256 of both; `InRelease` (clear-signed) and `Release.gpg` (detached) are added by the
 * caller with the repository key. Format: Debian repository format (wiki.debian.org/DebianRepository/Format).
 */
export interface AptPackage {
  /** The control file text as stored at sync. */
  control: string;
  /** Path below the repository base, e.g. `pool/0.1.0/fleetgate-agent_0.1.0_amd64.deb`. */
  filename: string;
  size: number;
  sha256: string;
}

/** Fields apt computes from the file; a control file must not bring its own. */
const FILE_FIELDS = new Set(["filename", "size", "md5sum", "sha1", "sha256", "sha512"]);

function stanza(pkg: AptPackage): string {
  const control: ControlParagraph = parseControl(pkg.control);
  const lines = control.fields.filter(([k]) => !FILE_FIELDS.has(k.toLowerCase())).map(([k, v]) => `${k}: ${v}`);
  lines.push(`Filename: ${pkg.filename}`, `Size: ${pkg.size}`, `SHA256: ${pkg.sha256}`);
  return `${lines.join("\n")}\n`;
}

/** RFC 2822 date in UTC as apt writes it: `Mon, 07 Dec 2026 15:04:05 UTC`. */
export function aptDate(at: Date): string {
  return at.toUTCString().replace("GMT", "UTC");
}

/** Packages, Packages.gz and Release (unsigned), sorted for stable output. */
export async function buildAptMetadata(packages: AptPackage[], at: Date): Promise<RepoFile[]> {
  const sorted = [...packages].sort((a, b) => a.filename.localeCompare(b.filename));
  const index = utf8(sorted.map(stanza).join("\n"));
  const indexGz = await gzip(index);
  const architectures = [
    ...new Set(sorted.map((p) => parseControl(p.control).get("Architecture") ?? "").filter(Boolean)),
  ].sort();
  const hashes = [
    [index, "Packages"],
    [indexGz, "Packages.gz"],
  ] as const;
  const sums = await Promise.all(hashes.map(async ([b, n]) => ` ${await sha256Hex(b)} ${b.length} ${n}`));
  const release = [
    "Origin: Fleetgate",
    "Label: Fleetgate agent",
    "Suite: stable",
    "Codename: stable",
    `Date: ${aptDate(at)}`,
    `Architectures: ${architectures.join(" ") || "all"}`,
    "Description: Fleetgate host agent packages served by the control plane",
    "SHA256:",
    ...sums,
    "",
  ].join("\n");
  return [
    { path: "Packages", body: index, contentType: "text/plain; charset=utf-8" },
    { path: "Packages.gz", body: indexGz, contentType: "application/gzip" },
    { path: "Release", body: utf8(release), contentType: "text/plain; charset=utf-8" },
  ];
}
