import { AgentMessage } from "@fleetgate/contract";
import { logAt } from "@fleetgate/domain";

/**
 * One text frame from the agent, validated against the protocol (docs/agent-protocol.md);
 * undefined (and a log line, never an answer) for anything else.
 */
export function parseAgentFrame(
  message: string | ArrayBuffer,
  hostId: string,
  logLevel: string | undefined,
): AgentMessage | undefined {
  if (typeof message !== "string") return undefined; // Binary frames are not part of the protocol.
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    logAt(logLevel, "warn", "agent frame is not JSON", { host_id: hostId });
    return undefined;
  }
  const parsed = AgentMessage.safeParse(json);
  if (!parsed.success) {
    const type = (json as { type?: unknown } | null)?.type;
    logAt(logLevel, "warn", "agent frame refused", {
      host_id: hostId,
      type: typeof type === "string" ? type.slice(0, 32) : null,
    });
    return undefined;
  }
  return parsed.data;
}
