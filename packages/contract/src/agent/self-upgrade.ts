import { z } from "zod";

/**
 * Agent self-upgrade travels as a `run` frame of this built-in name (job kind `self_upgrade`):
 * `args` = [target version, sha256 of the executable (64 lowercase hex), platform `linux-x64` |
 * `linux-arm64`]. The agent downloads `GET /agent/v1/download/<platform>?version=<v>` from its own
 * server, checks the sha256 and that the new file reports that version, swaps it atomically and
 * restarts; the result's stdout is the JSON `SelfUpgradeReport`, exit code 0 = swapped (or already
 * at that version).
 */
export const SELF_UPGRADE_COMMAND = "fleetgate-self-upgrade";

export const AgentSemver = z.string().regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]{1,64})?$/);
export const UpgradePlatform = z.enum(["linux-x64", "linux-arm64"]);

export const SelfUpgradeArgs = z.tuple([AgentSemver, z.string().regex(/^[0-9a-f]{64}$/), UpgradePlatform]);
export type SelfUpgradeArgs = z.infer<typeof SelfUpgradeArgs>;

export const SelfUpgradeReport = z.object({
  status: z.enum(["swapped", "already_current"]),
  from_version: z.string(),
  to_version: z.string(),
  /** The agent restarts after the result is sent; it goes back to from_version unless the new one reconnects by then. */
  rollback_deadline: z.string().nullable(),
  /** `package`: installed with apt/dnf from the agent repository (a package-managed agent); else the file was swapped. */
  method: z.enum(["executable", "package"]).optional(),
});
export type SelfUpgradeReport = z.infer<typeof SelfUpgradeReport>;
