import type { InstalledPackage, OsFacts, PendingUpdate } from "@fleetgate/contract/agent";

/** The dpkg-query format whose lines `parseDpkgQuery` reads (patching.md §1). */
export const DPKG_QUERY_FORMAT =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax, not a JS template
  "${binary:Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${db:Status-Abbrev}\\n";

/** Installed packages from dpkg-query; keeps what dpkg considers installed (ii, hi, and broken iF/iU states). */
export function parseDpkgQuery(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const line of text.split("\n")) {
    const [bin, version, arch, source, sourceVersion, status] = line.split("\t");
    if (!bin || !version || !arch || status === undefined) continue;
    const st = status.trim();
    // "rc" (removed, config left) and "un" are not installed.
    if (!/^[ih][iFUHWt]/.test(st)) continue;
    out.push({
      // Multi-arch packages print as name:arch; the arch is its own field.
      name: bin.replace(/:[a-z0-9-]+$/, ""),
      version,
      arch,
      source: source || bin,
      source_version: sourceVersion || version,
      status: st,
    });
  }
  return out;
}

const INST = /^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+) (.*) \[([^\]]+)\]\)(?: \[.*\])?$/;
const REMV = /^Remv (\S+)(?: \[([^\]]+)\])?/;

/** Whether an origin (`Label:ver/suite`) is a security suite (unattended-upgrades' rule). */
export function isSecurityOrigin(origin: string): boolean {
  const suite = origin.slice(origin.lastIndexOf("/") + 1).trim();
  return /-security$/.test(suite) || /-(infra|apps)-security$/.test(suite);
}

/** Pending updates and removals from `apt-get -s dist-upgrade` (the Inst/Remv lines). */
export function parseAptSimulation(text: string): { updates: PendingUpdate[]; removals: string[] } {
  const updates: PendingUpdate[] = [];
  const removals: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    const inst = INST.exec(line);
    if (inst) {
      const [, name = "", current, candidate = "", originText = "", arch = ""] = inst;
      const origins = originText
        .split(",")
        .map((o) => o.trim())
        .filter((o) => o !== "");
      updates.push({
        name: name.replace(/:[a-z0-9-]+$/, ""),
        arch,
        current_version: current ?? null,
        candidate_version: candidate,
        origins,
        security: origins.some(isSecurityOrigin),
        cve_ids: [],
      });
      continue;
    }
    const remv = REMV.exec(line);
    if (remv?.[1]) removals.push(remv[1].replace(/:[a-z0-9-]+$/, ""));
  }
  return { updates, removals };
}

/** /etc/os-release (os-release(5)) plus the kernel and machine. */
export function parseOsRelease(text: string, kernel: string, arch: string): OsFacts {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m?.[1]) continue;
    let v = m[2] ?? "";
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    fields.set(m[1], v.replace(/\\(["$`\\])/g, "$1"));
  }
  const id = fields.get("ID") ?? "";
  const idLike = (fields.get("ID_LIKE") ?? "").split(/\s+/).filter((x) => x !== "");
  const all = [id, ...idLike];
  const family = all.some((x) => x === "debian" || x === "ubuntu")
    ? "debian"
    : all.some((x) => ["rhel", "fedora", "centos"].includes(x))
      ? "rhel"
      : "unknown";
  return {
    id,
    id_like: idLike,
    family,
    version_id: fields.get("VERSION_ID") ?? "",
    codename: fields.get("VERSION_CODENAME") ?? "",
    pretty_name: fields.get("PRETTY_NAME") ?? "",
    kernel,
    arch,
  };
}

/** The name of a .deb in apt's archive cache: the epoch colon is escaped as %3a. */
export function debFileName(name: string, version: string, arch: string): string {
  return `${name}_${version.replace(/:/g, "%3a")}_${arch}.deb`;
}

const CHANGELOG_ENTRY = /^\S+ \(([^)\s]+)\) [^;]*;/;
const CVE = /\bCVE-\d{4}-\d{4,}\b/g;

/**
 * CVE ids a Debian changelog (`apt-get changelog pkg=candidate`) names in the entries newer than
 * `installed`: every entry above the installed version's own entry. When the installed version
 * has no entry (or is null: a new package), only the top entry counts, so old fixes are never
 * attributed to this update. Sorted, unique.
 */
export function changelogCves(text: string, installed: string | null): string[] {
  const entries: { version: string; body: string[] }[] = [];
  for (const line of text.split("\n")) {
    const head = CHANGELOG_ENTRY.exec(line);
    if (head?.[1]) entries.push({ version: head[1], body: [] });
    else entries.at(-1)?.body.push(line);
  }
  const stop = installed === null ? -1 : entries.findIndex((e) => e.version === installed);
  const newer = stop === -1 ? entries.slice(0, 1) : entries.slice(0, stop);
  const ids = new Set<string>();
  for (const e of newer) for (const m of e.body.join("\n").matchAll(CVE)) ids.add(m[0]);
  return [...ids].sort();
}
