import { REBOOT_COMMAND, type Run, SELF_UPGRADE_COMMAND } from "@fleetgate/contract/agent";
import type { z } from "zod";
import type { CommandRunner } from "./commands";
import type { Execution } from "./executor";
import type { PatchAgent } from "./patch/patch-agent";
import { rebootExecution } from "./reboot/reboot-command";
import type { Rebooter } from "./reboot/rebooter";
import type { SelfUpgrader } from "./upgrade/self-upgrade";
import { selfUpgradeExecution } from "./upgrade/self-upgrade-command";

type Builtin = (run: z.infer<typeof Run>) => Execution;

/**
 * The agent's built-in commands by name: patching's (when the config enables it), reboot, and
 * self-upgrade (only when the agent runs as its own executable). Scripts are the allowlist's.
 */
export function builtinCommands(parts: {
  patch: PatchAgent | null;
  rebooter: Rebooter;
  upgrader: SelfUpgrader | null | undefined;
  /** The runner the self-upgrade waits on (built after this map). */
  runner: () => CommandRunner;
  /** After a self-upgrade swapped the executable. */
  afterSwap: () => void;
}): Map<string, Builtin> {
  const builtins = new Map<string, Builtin>(parts.patch?.builtins());
  builtins.set(REBOOT_COMMAND, (run) => rebootExecution(run, parts.rebooter));
  const upgrader = parts.upgrader;
  if (upgrader) {
    builtins.set(SELF_UPGRADE_COMMAND, (run) =>
      selfUpgradeExecution(run, { upgrader, runner: parts.runner, afterSwap: parts.afterSwap }),
    );
  }
  return builtins;
}
