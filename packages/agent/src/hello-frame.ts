import { AGENT_PROTOCOL_VERSION, type AgentMessage } from "@fleetgate/contract/agent";
import type { AgentConfig } from "./config";
import type { HostInfo } from "./host-info";
import { readBootInfo } from "./reboot/boot-info";
import { inventoryScripts } from "./scripts";
import { AGENT_VERSION } from "./version";

type Hello = Extract<AgentMessage, { type: "hello" }>;

/**
 * The `hello` an agent opens every connection with: who it is (fields cut to the protocol's
 * bounds), its scripts and labels, the results the server has not acknowledged, the CRL it holds
 * and the boot it is in.
 */
export async function helloFrame(
  config: AgentConfig,
  host: HostInfo,
  completed: readonly string[],
  crl: Hello["crl"],
): Promise<Hello> {
  const os = host.os;
  return {
    type: "hello",
    protocol: AGENT_PROTOCOL_VERSION,
    agent_version: AGENT_VERSION,
    hostname: host.hostname.slice(0, 253),
    os: {
      family: os.family.slice(0, 64),
      name: os.name.slice(0, 255),
      version: os.version.slice(0, 255),
      arch: os.arch.slice(0, 64),
    },
    tags: config.tags,
    scripts: await inventoryScripts(config),
    completed: completed.slice(0, 1000),
    crl,
    boot: (await readBootInfo(config.reboot.bootIdFile)) ?? undefined,
  };
}
