import { DiscoverFrame, type DiscoveryDoneFrame, type DiscoveryResultsFrame } from "@fleetgate/contract";
import { finishDiscoveryScan, logAt, recordDiscoveryResults } from "@fleetgate/domain";
import type { DomainAccess } from "../shared/domain-access";
import type { AgentSockets } from "./agent-socket";

/**
 * Discovery through the host's agent (docs/agent-protocol.md, "Discovery"): hands a `discover`
 * frame to the live agent, and stores what it streams back. The domain checks that this host is
 * the one the scan was handed to and that every address lies inside the scan's range.
 */
export class DiscoveryRelay {
  constructor(
    private readonly domain: DomainAccess,
    private readonly sockets: AgentSockets,
    private readonly logLevel: string | undefined,
  ) {}

  /** Sends the scan to the connected agent; "offline" when there is none (nothing is queued). */
  send(raw: unknown): "sent" | "offline" {
    const frame = DiscoverFrame.parse(raw);
    const ws = this.sockets.live();
    if (!ws) return "offline";
    this.sockets.send(ws, frame);
    return "sent";
  }

  async onResults(hostId: string, frame: DiscoveryResultsFrame, now: number): Promise<void> {
    const stored = await recordDiscoveryResults(await this.domain.context(), hostId, frame, now);
    if (stored < frame.results.length) {
      logAt(this.logLevel, "warn", "discovery results not stored (unknown scan, not this host's, or out of range)", {
        host_id: hostId,
        scan_id: frame.scan_id,
        refused: frame.results.length - stored,
      });
    }
  }

  async onDone(hostId: string, frame: DiscoveryDoneFrame, now: number): Promise<void> {
    const finished = await finishDiscoveryScan(await this.domain.context(), hostId, frame, now);
    logAt(this.logLevel, "info", "discovery scan finished", {
      host_id: hostId,
      scan_id: frame.scan_id,
      probed: frame.probed,
      error: frame.error,
      recorded: finished,
    });
  }
}
