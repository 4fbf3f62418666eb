import type { Inventory } from "@fleetgate/contract";

/** The OS facts of a Debian 12 amd64 host, as the agent reports them. */
export const debianOs: Inventory["os"] = {
  id: "debian",
  id_like: [],
  family: "debian",
  version_id: "12",
  codename: "bookworm",
  pretty_name: "",
  kernel: "6.1.0-18-amd64",
  arch: "x86_64",
};

/** The agent's report of a patch apply that succeeded and changed nothing. */
export const applyReport = JSON.stringify({
  ok: true,
  error: null,
  changes: [],
  unvaulted: [],
  vault: [],
  kept_conffiles: [],
  audit_clean: true,
  reboot_required: false,
  output: "",
});

/** A Debian host's inventory with one package, zlib1g 1.0, and its pending security update to 1.1. */
export const zlibSecurityInventory = (): Inventory => ({
  os: debianOs,
  packages: [{ name: "zlib1g", version: "1.0", arch: "amd64", source: "zlib", source_version: "1.0", status: "ii" }],
  updates: [
    {
      name: "zlib1g",
      arch: "amd64",
      current_version: "1.0",
      candidate_version: "1.1",
      origins: ["Debian-Security:12/stable-security"],
      security: true,
      cve_ids: [],
    },
  ],
  removals: [],
  reboot_required: false,
  reboot_reasons: [],
  lists_age_secs: 10,
  collected_at: Date.now(),
});
