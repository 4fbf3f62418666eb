import { compareDpkgVersions, compareRpmVersions, parseDpkgVersion, parseRpmEvr } from "@fleetgate/contract/patching";
import { z } from "zod";

/**
 * The part of an OSV record (https://ossf.github.io/osv-schema/, schema 1.x) the import uses, with
 * bounds: a record past them fails the import with a clear error rather than filling D1.
 */
const Event = z
  .object({
    introduced: z.string().max(256).optional(),
    fixed: z.string().max(256).optional(),
    last_affected: z.string().max(256).optional(),
    limit: z.string().max(256).optional(),
  })
  .refine((e) => Object.values(e).filter((v) => v !== undefined).length === 1, {
    message: "an event has exactly one of introduced, fixed, last_affected, limit",
  });

/** A severity entry (CVSS vector, or Ubuntu's priority with type `Ubuntu`). */
const Severity = z.array(z.object({ type: z.string().max(32), score: z.string().max(256) })).max(20);
/** Free-form objects of the schema; only their `severity` / `urgency` strings are read (osv-severity.ts). */
const Specific = z.record(z.string(), z.unknown());

const Affected = z.object({
  severity: Severity.optional(),
  ecosystem_specific: Specific.optional(),
  database_specific: Specific.optional(),
  package: z.object({ ecosystem: z.string().max(128), name: z.string().min(1).max(256) }).optional(),
  ranges: z
    .array(z.object({ type: z.string().max(32), events: z.array(Event).max(200) }))
    .max(100)
    .optional(),
});

export const OsvRecord = z.object({
  id: z.string().min(1).max(128),
  modified: z.string().max(64),
  withdrawn: z.string().max(64).optional(),
  aliases: z.array(z.string().max(128)).max(500).optional(),
  upstream: z.array(z.string().max(128)).max(500).optional(),
  summary: z.string().optional(),
  severity: Severity.optional(),
  database_specific: Specific.optional(),
  affected: z.array(Affected).max(2000).optional(),
});
export type OsvRecord = z.infer<typeof OsvRecord>;

/** Version scheme of an ecosystem: dpkg (Debian, Ubuntu) or rpm (RHEL family). */
export type VersionScheme = "deb" | "rpm";

/**
 * The ecosystem key the import stores and hosts are matched by: `debian:12`, `ubuntu:22.04`,
 * `rhel:9`, `rocky:9`, `almalinux:9`; null for ecosystems no host runs from its standard
 * repositories (Ubuntu Pro, RHEL EUS/AUS streams, other OSV ecosystems).
 */
export function ecosystemKey(osvEcosystem: string): string | null {
  let m = /^Debian:(\d+)$/.exec(osvEcosystem);
  if (m) return `debian:${m[1]}`;
  m = /^Ubuntu:(\d+\.\d+)(:LTS)?$/.exec(osvEcosystem);
  if (m) return `ubuntu:${m[1]}`;
  m = /^Red Hat:enterprise_linux:(\d+)(::[a-z0-9_-]+)?$/.exec(osvEcosystem);
  if (m) return `rhel:${m[1]}`;
  m = /^Rocky Linux:(\d+)$/.exec(osvEcosystem);
  if (m) return `rocky:${m[1]}`;
  m = /^AlmaLinux:(\d+)$/.exec(osvEcosystem);
  if (m) return `almalinux:${m[1]}`;
  return null;
}

/** The ecosystem key of a host from its OS facts (`/etc/os-release` id and version_id); null when none applies. */
export function hostEcosystemKey(os: { id: string; version_id: string }): string | null {
  const id = os.id.toLowerCase();
  if (id === "ubuntu") return /^\d+\.\d+$/.test(os.version_id) ? `ubuntu:${os.version_id}` : null;
  const major = /^(\d+)/.exec(os.version_id)?.[1];
  if (!major) return null;
  return ["debian", "rhel", "rocky", "almalinux"].includes(id) ? `${id}:${major}` : null;
}

export const schemeOf = (key: string): VersionScheme => (/^(debian|ubuntu):/.test(key) ? "deb" : "rpm");

/** Compares two versions of a scheme; null when either does not parse (never guessed). */
export function compareOsvVersions(scheme: VersionScheme, a: string, b: string): number | null {
  if (scheme === "deb") {
    if (!parseDpkgVersion(a) || !parseDpkgVersion(b)) return null;
    return compareDpkgVersions(a, b);
  }
  if (!parseRpmEvr(a) || !parseRpmEvr(b)) return null;
  return compareRpmVersions(a, b);
}

export interface AffectedInterval {
  ecosystem: string;
  package: string;
  introduced: string;
  fixed: string | null;
  lastAffected: string | null;
}

/**
 * The affected intervals of an ECOSYSTEM range (OSV "Evaluation"): events sorted by version
 * ("0" first), each `introduced` opens an interval closed by the next `fixed` (exclusive) or
 * `last_affected` (inclusive). `limit` only bounds git ranges and is ignored; other range types
 * (GIT, SEMVER) do not apply to distribution packages. A version that does not parse in the
 * scheme drops its range (it cannot be ordered).
 */
export function rangeIntervals(
  scheme: VersionScheme,
  events: z.infer<typeof Event>[],
): { introduced: string; fixed: string | null; lastAffected: string | null }[] | null {
  type Ev = { kind: "introduced" | "fixed" | "last_affected"; v: string };
  const evs: Ev[] = [];
  for (const e of events) {
    if (e.introduced !== undefined) evs.push({ kind: "introduced", v: e.introduced });
    else if (e.fixed !== undefined) evs.push({ kind: "fixed", v: e.fixed });
    else if (e.last_affected !== undefined) evs.push({ kind: "last_affected", v: e.last_affected });
  }
  for (const e of evs) if (e.v !== "0" && compareOsvVersions(scheme, e.v, e.v) === null) return null;
  evs.sort((a, b) => {
    if (a.v === "0" || b.v === "0") return a.v === b.v ? 0 : a.v === "0" ? -1 : 1;
    return compareOsvVersions(scheme, a.v, b.v) ?? 0;
  });
  const out: { introduced: string; fixed: string | null; lastAffected: string | null }[] = [];
  let open: string | null = null;
  for (const e of evs) {
    if (e.kind === "introduced") {
      if (open === null) open = e.v;
    } else if (open !== null) {
      out.push({
        introduced: open,
        fixed: e.kind === "fixed" ? e.v : null,
        lastAffected: e.kind === "last_affected" ? e.v : null,
      });
      open = null;
    }
  }
  if (open !== null) out.push({ introduced: open, fixed: null, lastAffected: null });
  return out;
}

/** Whether `version` lies in the interval (null: the version does not parse — not claimed affected). */
export function inInterval(
  scheme: VersionScheme,
  version: string,
  i: { introduced: string; fixed: string | null; lastAffected: string | null },
): boolean | null {
  if (compareOsvVersions(scheme, version, version) === null) return null;
  if (i.introduced !== "0" && (compareOsvVersions(scheme, version, i.introduced) ?? -1) < 0) return false;
  if (i.fixed !== null) return (compareOsvVersions(scheme, version, i.fixed) ?? 0) < 0;
  if (i.lastAffected !== null) return (compareOsvVersions(scheme, version, i.lastAffected) ?? 1) <= 0;
  return true;
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

/** The CVE ids a record names: its id, aliases and upstream ids, sorted, unique. */
export function cveIdsOf(r: OsvRecord): string[] {
  return [...new Set([r.id, ...(r.aliases ?? []), ...(r.upstream ?? [])].filter((x) => CVE.test(x)))].sort();
}

/** The intervals of a record for the ecosystems the import keeps (withdrawn records: none). */
export function intervalsOf(r: OsvRecord): AffectedInterval[] {
  if (r.withdrawn) return [];
  const out: AffectedInterval[] = [];
  for (const a of r.affected ?? []) {
    if (!a.package) continue;
    const key = ecosystemKey(a.package.ecosystem);
    if (!key) continue;
    for (const range of a.ranges ?? []) {
      if (range.type !== "ECOSYSTEM") continue;
      for (const i of rangeIntervals(schemeOf(key), range.events) ?? [])
        out.push({ ecosystem: key, package: a.package.name, ...i });
    }
  }
  return out;
}
