import type { AgentMessage, ServerMessage } from "@fleetgate/contract";
import { gateChecks, logAt, recordGateResults } from "@fleetgate/domain";
import type { DomainAccess } from "../shared/domain-access";

type GateRequest = Extract<AgentMessage, { type: "health_gate" }>;
type GateResults = Extract<AgentMessage, { type: "health_gate_results" }>;

/**
 * A health-gated apply on the agent asks for the host's enabled checks (docs/patching.md "Rings").
 * They are read from D1 when asked, so a basic-auth password travels in this frame only and is
 * never stored with a command. If D1 cannot be read, no answer goes out: the agent's gate fails
 * closed (a pre-check without checks to run refuses to patch).
 */
export async function answerHealthGate(
  domain: DomainAccess,
  hostId: string,
  frame: GateRequest,
  send: (f: ServerMessage) => void,
  logLevel: string | undefined,
): Promise<void> {
  try {
    const checks = await gateChecks(await domain.context(), hostId);
    send({ type: "health_gate_checks", request_id: frame.request_id, checks });
  } catch (err) {
    logAt(logLevel, "error", "reading the health gate's checks failed", { host_id: hostId, error: String(err) });
  }
}

/** Keeps the results of a gate with their phase and job (the host's own checks only). */
export async function storeGateResults(
  domain: DomainAccess,
  hostId: string,
  frame: GateResults,
  logLevel: string | undefined,
): Promise<void> {
  try {
    await recordGateResults(await domain.context(), hostId, frame.job_id, frame.phase, frame.results);
  } catch (err) {
    logAt(logLevel, "warn", "storing health gate results failed", { host_id: hostId, error: String(err) });
  }
}
