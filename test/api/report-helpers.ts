import { env } from "cloudflare:workers";

export interface SeedUpdate {
  name: string;
  security: "true" | "false" | "unknown";
  cveIds?: string[];
  firstSeenAt: number;
  current?: string;
  candidate?: string;
}

/** A host's reported inventory straight into D1: its patch state (reboot flag) and pending updates. */
export function seedInventoryStatements(
  hostId: string,
  opts: { reboot?: boolean; updates?: SeedUpdate[]; at?: number },
): D1PreparedStatement[] {
  const at = opts.at ?? Date.now();
  const updates = opts.updates ?? [];
  return [
    env.DB.prepare(
      `INSERT INTO host_patch_state (host_id, inventory_hash, os, package_count, update_count, security_update_count,
         reboot_required, reboot_reasons, removals, lists_age_secs, collected_at, reported_at)
       VALUES (?, ?, ?, 0, ?, ?, ?, '[]', '[]', NULL, ?, ?)`,
    ).bind(
      hostId,
      "0".repeat(64),
      JSON.stringify({
        id: "debian",
        id_like: [],
        family: "debian",
        version_id: "12",
        codename: "bookworm",
        pretty_name: "Debian 12",
        kernel: "6.1",
        arch: "amd64",
      }),
      updates.length,
      updates.filter((u) => u.security === "true").length,
      opts.reboot ? 1 : 0,
      at,
      at,
    ),
    ...updates.map((u) =>
      env.DB.prepare(
        `INSERT INTO host_updates (host_id, name, arch, current_version, candidate_version, source, security, cve_ids, origins, first_seen_at)
         VALUES (?, ?, 'amd64', ?, ?, ?, ?, ?, '["Debian-Security:12/stable-security"]', ?)`,
      ).bind(
        hostId,
        u.name,
        u.current ?? "1.0-1",
        u.candidate ?? "1.0-2",
        u.name,
        u.security,
        JSON.stringify(u.cveIds ?? []),
        u.firstSeenAt,
      ),
    ),
  ];
}
