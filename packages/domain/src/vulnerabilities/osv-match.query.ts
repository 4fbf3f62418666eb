import { sql } from "drizzle-orm";
import type { HostOsFacts } from "../schema";
import type { DomainContext } from "../shared/context";
import { hostEcosystemKey, inInterval, schemeOf } from "./osv-record";

/** An installed package of a host inside an affected interval of an imported OSV record. */
export interface OsvMatch {
  hostId: string;
  package: string;
  arch: string;
  source: string;
  installedVersion: string;
  vulnId: string;
  cveIds: string[];
  /** The version that fixes it; null when the record names none (no fix published). */
  fixedVersion: string | null;
}

interface Candidate {
  host_id: string;
  eco: string;
  name: string;
  arch: string;
  version: string;
  source: string;
  source_version: string;
  vuln_id: string;
  introduced: string;
  fixed: string | null;
  last_affected: string | null;
  cve_ids: string;
}

/**
 * OSV matches of the given hosts' installed packages, from the imports in force (`osv_feeds`).
 * Debian/Ubuntu records name source packages: a binary package matches by its source package and
 * source version; RHEL-family records name binary packages: by name and version. Versions are
 * compared with the project's dpkg / rpm comparison; a version that does not parse never matches.
 */
export async function osvMatchesOf(
  ctx: Pick<DomainContext, "db">,
  hostIds: string[],
): Promise<Map<string, OsvMatch[]>> {
  const out = new Map<string, OsvMatch[]>();
  if (hostIds.length === 0) return out;
  const states = await ctx.db.all<{ host_id: string; os: string }>(
    sql`SELECT host_id, os FROM host_patch_state WHERE host_id IN (SELECT value FROM json_each(${JSON.stringify(hostIds)}))`,
  );
  const pairs: [string, string][] = [];
  for (const s of states) {
    let os: HostOsFacts | undefined;
    try {
      os = JSON.parse(s.os) as HostOsFacts;
    } catch {
      continue;
    }
    const key = typeof os?.id === "string" && typeof os.version_id === "string" ? hostEcosystemKey(os) : null;
    if (key) pairs.push([s.host_id, key]);
  }
  if (pairs.length === 0) return out;
  const rows = await ctx.db.all<Candidate>(sql`
    WITH h AS (SELECT json_extract(value, '$[0]') AS host_id, json_extract(value, '$[1]') AS eco
               FROM json_each(${JSON.stringify(pairs)}))
    SELECT h.host_id, h.eco, hp.name, hp.arch, hp.version, hp.source, hp.source_version,
           r.vuln_id, r.introduced, r.fixed, r.last_affected, v.cve_ids
    FROM h
    JOIN host_packages hp ON hp.host_id = h.host_id
    JOIN osv_ranges r ON r.ecosystem = h.eco
      AND r.package = (CASE WHEN h.eco LIKE 'debian:%' OR h.eco LIKE 'ubuntu:%' THEN hp.source ELSE hp.name END)
    JOIN osv_feeds f ON f.import_id = r.import_id
    JOIN osv_vulns v ON v.import_id = r.import_id AND v.id = r.vuln_id
    ORDER BY h.host_id, hp.name, hp.arch, r.vuln_id`);
  const seen = new Set<string>();
  for (const r of rows) {
    const scheme = schemeOf(r.eco);
    const version = scheme === "deb" ? r.source_version : r.version;
    const hit = inInterval(scheme, version, {
      introduced: r.introduced,
      fixed: r.fixed,
      lastAffected: r.last_affected,
    });
    if (hit !== true) continue;
    const dedupe = `${r.host_id}\u0000${r.name}\u0000${r.arch}\u0000${r.vuln_id}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    const match: OsvMatch = {
      hostId: r.host_id,
      package: r.name,
      arch: r.arch,
      source: r.source,
      installedVersion: r.version,
      vulnId: r.vuln_id,
      cveIds: JSON.parse(r.cve_ids) as string[],
      fixedVersion: r.fixed,
    };
    const list = out.get(r.host_id);
    if (list) list.push(match);
    else out.set(r.host_id, [match]);
  }
  return out;
}

/** The OSV imports in force, per feed (for reports: what the matches were made against). */
export async function osvFeedsInForce(
  ctx: Pick<DomainContext, "db">,
): Promise<{ feed: string; importedAt: number; records: number }[]> {
  return ctx.db.all<{ feed: string; importedAt: number; records: number }>(
    sql`SELECT f.feed AS feed, f.imported_at AS importedAt, i.records AS records
        FROM osv_feeds f JOIN osv_imports i ON i.id = f.import_id ORDER BY f.feed`,
  );
}
