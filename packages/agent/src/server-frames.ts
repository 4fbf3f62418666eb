import { ServerMessage } from "@fleetgate/contract/agent";
import type { Logger } from "./log";

/** One frame from the server, checked against the protocol; undefined (logged by type only) when it is not one. */
export function parseServerFrame(text: string, log: Logger): ServerMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    log.warn("ignoring a frame that is not JSON");
    return undefined;
  }
  const parsed = ServerMessage.safeParse(json);
  if (!parsed.success) {
    const type = (json as { type?: unknown } | null)?.type;
    log.warn("ignoring an invalid frame", { type: typeof type === "string" ? type.slice(0, 32) : null });
    return undefined;
  }
  return parsed.data;
}
