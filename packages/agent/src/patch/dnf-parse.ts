import type { InstalledPackage, PendingUpdate } from "@fleetgate/contract/agent";
import { compareRpmVersions, parseRpmEvr } from "@fleetgate/contract/patching";

/** The `rpm -qa --qf` format whose lines `parseRpmQuery` reads (patching.md §1: EPOCHNUM, not EPOCH). */
export const RPM_QUERY_FORMAT = "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n";
/** The `dnf repoquery --upgrades --qf` format whose lines `parseRepoquery` reads. */
export const REPOQUERY_FORMAT = "%{name}|%{epoch}|%{version}|%{release}|%{arch}|%{repoid}";

/** rpm ordering that never throws: an EVR rpm would not produce (unparsable) compares as equal. */
function cmp(a: string, b: string): -1 | 0 | 1 {
  try {
    return compareRpmVersions(a, b);
  } catch {
    return 0;
  }
}

/** `[epoch:]version-release` as rpm and dnf print it (epoch 0 omitted). */
export function evr(epoch: string | number, version: string, release: string): string {
  const e = String(epoch);
  return `${e === "0" || e === "" || e === "(none)" ? "" : `${e}:`}${version}-${release}`;
}

/** `name-[epoch:]version-release.arch`: how dnf names one exact package. */
export function nevra(p: { name: string; arch: string; version: string }): string {
  return `${p.name}-${p.version}.${p.arch}`;
}

/** A NEVRA (`name-[e:]v-r.arch`, optionally `.rpm`) split into name, EVR and arch; null when malformed. */
export function parseNevra(text: string): { name: string; version: string; arch: string } | null {
  const s = text.endsWith(".rpm") ? text.slice(0, -4) : text;
  const dot = s.lastIndexOf(".");
  if (dot <= 0) return null;
  const arch = s.slice(dot + 1);
  const nvr = s.slice(0, dot);
  const relDash = nvr.lastIndexOf("-");
  const verDash = relDash > 0 ? nvr.lastIndexOf("-", relDash - 1) : -1;
  if (verDash <= 0 || arch === "") return null;
  const version = nvr.slice(verDash + 1);
  if (!parseRpmEvr(version)) return null;
  return { name: nvr.slice(0, verDash), version, arch };
}

/**
 * Installed packages from `rpm -qa --qf RPM_QUERY_FORMAT`: EVR versions, the source rpm's name
 * and version-release; `gpg-pubkey` pseudo-packages skipped. Packages installed several times
 * (installonly: `kernel`) keep their newest version: the inventory holds one row per name.arch.
 */
export function parseRpmQuery(text: string): InstalledPackage[] {
  const byKey = new Map<string, InstalledPackage>();
  for (const line of text.split("\n")) {
    const [name, epoch, version, release, arch, srpm] = line.split("\t");
    if (!name || !version || !release || !arch || epoch === undefined || srpm === undefined) continue;
    if (name === "gpg-pubkey") continue;
    const v = evr(epoch, version, release);
    const src = srpm && srpm !== "(none)" ? parseNevra(srpm.trim()) : null;
    const p: InstalledPackage = {
      name,
      version: v,
      arch,
      source: src?.name ?? name,
      source_version: src?.version ?? v,
      status: "ii",
    };
    const k = `${name}:${arch}`;
    const prev = byKey.get(k);
    if (!prev || cmp(v, prev.version) > 0) byKey.set(k, p);
  }
  return [...byKey.values()];
}

/** Available upgrades from `dnf repoquery --upgrades --latest-limit=1 --qf REPOQUERY_FORMAT`. */
export function parseRepoquery(text: string): { name: string; arch: string; version: string; repoid: string }[] {
  const out: { name: string; arch: string; version: string; repoid: string }[] = [];
  for (const line of text.split("\n")) {
    const parts = line.trim().split("|");
    if (parts.length !== 6) continue;
    const [name = "", epoch = "", version = "", release = "", arch = "", repoid = ""] = parts;
    if (!name || !version || !release || !arch) continue;
    out.push({ name, arch, version: evr(epoch, version, release), repoid });
  }
  return out;
}

/** One advisory line of `dnf updateinfo list …`: id (advisory or CVE), whether it is a security one, the package. */
export interface AdvisoryLine {
  id: string;
  security: boolean;
  name: string;
  arch: string;
  version: string;
}

/**
 * Lines of `dnf updateinfo list --all` (`FEDORA-2026-1 bugfix pkg-1-1.x86_64`,
 * `RHSA-2026:1 Important/Sec. pkg-…`) or `updateinfo list cves` (`CVE-2026-1 Important/Sec. pkg-…`).
 */
export function parseUpdateinfoList(text: string): AdvisoryLine[] {
  const out: AdvisoryLine[] = [];
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3) continue;
    const id = parts[0] ?? "";
    const type = parts.slice(1, -1).join(" ");
    const p = parseNevra(parts.at(-1) ?? "");
    if (!p || id === "") continue;
    out.push({ id, security: /(^|\/)Sec\.$/.test(type) || type === "security", ...p });
  }
  return out;
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/**
 * Pending updates from repoquery, classified by the repositories' updateinfo: an advisory counts
 * for an update when it names the same package and arch at a version above the installed one
 * and up to the candidate. Security = any such advisory is a security advisory; no advisory at
 * all → "unknown" (the repository may carry no updateinfo), never "not security". CVE ids come
 * from `updateinfo list cves` under the same rule.
 */
export function classifyUpdates(
  upgrades: { name: string; arch: string; version: string; repoid: string }[],
  installed: InstalledPackage[],
  advisories: AdvisoryLine[],
  cves: AdvisoryLine[],
): PendingUpdate[] {
  const current = new Map(installed.map((p) => [`${p.name}:${p.arch}`, p.version]));
  const covers = (u: { name: string; arch: string; version: string }, from: string | null, a: AdvisoryLine) =>
    a.name === u.name &&
    a.arch === u.arch &&
    cmp(a.version, u.version) <= 0 &&
    (from === null || cmp(a.version, from) > 0);
  return upgrades.map((u) => {
    const from = current.get(`${u.name}:${u.arch}`) ?? null;
    const mine = advisories.filter((a) => covers(u, from, a));
    const ids = new Set(cves.filter((c) => CVE_ID.test(c.id) && covers(u, from, c)).map((c) => c.id));
    return {
      name: u.name,
      arch: u.arch,
      current_version: from,
      candidate_version: u.version,
      origins: [u.repoid].filter((r) => r !== "").slice(0, 16),
      security: mine.some((a) => a.security) || ids.size > 0 ? true : mine.length > 0 ? false : "unknown",
      cve_ids: [...ids].sort().slice(0, 500),
    };
  });
}

/** Where the running kernel (`uname -r`, e.g. `5.14.0-362.el9.x86_64`) stands against the newest installed one. */
export function rpmKernelReboot(packages: InstalledPackage[], running: string): string | null {
  const kernels = packages.filter((p) => p.name === "kernel-core" || p.name === "kernel");
  const newest = kernels
    .map((k) => k.version)
    .sort(cmp)
    .at(-1);
  const arch = kernels[0]?.arch;
  const runningEvr = arch && running.endsWith(`.${arch}`) ? running.slice(0, -(arch.length + 1)) : running;
  if (!newest || !parseRpmEvr(runningEvr)) return null;
  return cmp(newest, runningEvr) > 0 ? `kernel ${newest} installed, ${runningEvr} running` : null;
}
