import { type JobHostStatus, RebootOutcome } from "@fleetgate/contract";

/** The error of a host that was rebooting when its job's deadline passed. */
export const REBOOT_TIMED_OUT = "the host did not come back from its reboot before the job's timeout";

/**
 * The result of a host that was `rebooting` (docs/patching.md "Reboots"): it succeeded only when
 * the agent's report carries the boot after the reboot and that boot id differs from the one it
 * recorded before; anything else fails the host with the reason. `outcome` is what the result
 * means without the reboot (exit code / error).
 */
export function rebootVerdict(
  outcome: { status: JobHostStatus; error: string | null },
  stdout: string,
  bootIdBefore: string | null,
): { status: JobHostStatus; error: string | null } {
  if (outcome.status !== "succeeded") return outcome;
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = null;
  }
  const parsed = RebootOutcome.safeParse((json as { reboot?: unknown } | null)?.reboot);
  if (!parsed.success) return { status: "failed", error: "the agent reported no boot after the reboot" };
  if (bootIdBefore === null || parsed.data.boot_id === bootIdBefore || !parsed.data.rebooted) {
    return { status: "failed", error: "the host did not reboot (the boot id is unchanged)" };
  }
  return outcome;
}
