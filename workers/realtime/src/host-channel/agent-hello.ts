import type { AgentMessage } from "@fleetgate/contract";
import { logAt, recordAgentConnect, recordHostCrl } from "@fleetgate/domain";
import type { DomainAccess } from "../shared/domain-access";

export type HelloFrame = Extract<AgentMessage, { type: "hello" }>;

/**
 * Records the agent's hello in the registry (version, hostname, OS, tags, scripts; the host
 * is online; its CRL report and boot) and returns the inventory hash the server holds for the
 * `welcome` frame: one D1 batch (`recordAgentConnect`). A D1 failure is logged and leaves the
 * hash null: the connection is usable without the registry update, and the liveness alarm
 * marks the host online later.
 */
export async function recordHello(
  domain: DomainAccess,
  hostId: string,
  hello: HelloFrame,
  now: number,
  logLevel: string | undefined,
): Promise<string | null> {
  try {
    const inventoryHash = await recordAgentConnect(
      await domain.context(),
      hostId,
      {
        agentVersion: hello.agent_version,
        hostname: hello.hostname,
        os: hello.os,
        tags: hello.tags,
        scripts: hello.scripts,
        crl: hello.crl,
        boot: hello.boot,
      },
      now,
    );
    // `online` was stored with the upgrade (Presence.connected): the hello writes nothing in the object.
    return inventoryHash;
  } catch (err) {
    logAt(logLevel, "warn", "recording the agent's hello failed", { host_id: hostId, error: String(err) });
    return null;
  }
}

/**
 * Records the CRL the agent reports holding (hello or `crl_state`); absent: an agent too old
 * to report (the host reads not_reporting). A failure is logged: the next report retries.
 */
export async function recordCrlReport(
  domain: DomainAccess,
  hostId: string,
  report: HelloFrame["crl"],
  now: number,
  logLevel: string | undefined,
): Promise<void> {
  try {
    await recordHostCrl(await domain.context(), hostId, report, now);
  } catch (err) {
    logAt(logLevel, "warn", "recording the agent's CRL report failed", { host_id: hostId, error: String(err) });
  }
}
