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
