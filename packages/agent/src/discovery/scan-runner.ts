import type { AgentMessage, ServerMessage } from "@fleetgate/contract/agent";
import type { Logger } from "../log";
import { runScan } from "./scanner";

type DiscoverFrame = Extract<ServerMessage, { type: "discover" }>;

/**
 * Runs the server's discovery scans one at a time (docs/agent-protocol.md, "Discovery"): a scan
 * asked for while one runs is refused as busy; results and the end go back as frames.
 */
export class ScanRunner {
  private scanning = false;

  constructor(
    private readonly send: (frame: AgentMessage) => Promise<boolean>,
    private readonly log: () => Logger,
  ) {}

  async run(frame: DiscoverFrame): Promise<void> {
    const scanId = frame.scan_id;
    if (this.scanning) {
      await this.send({ type: "discovery_done", scan_id: scanId, probed: 0, error: "busy: another scan is running" });
      return;
    }
    this.scanning = true;
    this.log().info("discovery scan started", { scan_id: scanId, cidr: frame.cidr, agent_port: frame.agent_port });
    try {
      await runScan(frame, {
        results: async (results) => {
          await this.send({ type: "discovery_results", scan_id: scanId, results });
        },
        done: async (probed, error) => {
          await this.send({ type: "discovery_done", scan_id: scanId, probed, error });
          this.log().info("discovery scan finished", { scan_id: scanId, probed, error });
        },
      });
    } catch (error) {
      this.log().error("discovery scan failed", { scan_id: scanId, error });
      await this.send({ type: "discovery_done", scan_id: scanId, probed: 0, error: "scan failed on the agent" });
    } finally {
      this.scanning = false;
    }
  }
}
