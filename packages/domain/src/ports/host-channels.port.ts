import type { DiscoverFrame, EnqueueOutcome, HealthCheckSpec, HealthResult, HostCommand } from "@fleetgate/contract";
import { hostChannelStub } from "./durable-objects";

/** An agent's answer to a ping (or why there is none). */
export interface PingOutcome {
  ok: boolean;
  rtt_ms: number;
  error?: string;
  version?: string;
  hostname?: string;
  cert_not_after?: number;
}

/** A host's channel: whether its agent is connected, and its command queue. */
export interface ChannelStatus {
  online: boolean;
  connected_at: number | null;
  agent_version: string | null;
  reported_hostname: string | null;
  commands: Record<string, number>;
  outbox: number;
}

/** Health checks run by an agent now (`ok: false` with `error` when it is offline or did not answer in time). */
export type HealthRunOutcome = { ok: true; results: HealthResult[] } | { ok: false; error: string };

/** Host channels (one HostChannel Durable Object per host): enqueue, disconnect, ping, presence. */
export interface HostChannelsPort {
  enqueue(hostId: string, command: HostCommand): Promise<EnqueueOutcome>;
  /** Stops a command (dropped if not yet delivered, else the agent is told to cancel it). */
  cancel(hostId: string, commandId: string): Promise<void>;
  /** Closes the agent's socket (the host was removed or its certificate revoked). */
  disconnect(hostId: string, reason: string): Promise<void>;
  /** Closes the agent connections authenticated with these certificates (revoked or superseded). */
  endCertificates(hostId: string, certIds: string[], reason: string): Promise<void>;
  ping(hostId: string, timeoutMs: number): Promise<PingOutcome>;
  presence(hostId: string): Promise<ChannelStatus>;
  /** Asks the agent for a fresh inventory; false when it is not connected (it reports on connect). */
  refreshInventory(hostId: string): Promise<boolean>;
  /** Runs health checks on the host's agent and waits for the results (at most `timeoutMs`). */
  runHealthChecks(hostId: string, checks: HealthCheckSpec[], timeoutMs: number): Promise<HealthRunOutcome>;
  /** Hands an agent's WebSocket upgrade to its channel. */
  connect(hostId: string, request: Request): Promise<Response>;
  /** Asks the host's agent to run a discovery scan (only when it is connected now). */
  discover(hostId: string, frame: DiscoverFrame): Promise<"sent" | "offline">;
}

/** The HostChannel binding behind the port. */
export function hostChannelsPort(ns: Env["HOSTS"]): HostChannelsPort {
  const stub = (hostId: string) => hostChannelStub(ns, hostId);
  return {
    enqueue: (hostId, command) => stub(hostId).enqueue(command),
    cancel: (hostId, commandId) => stub(hostId).cancel(commandId),
    disconnect: (hostId, reason) => stub(hostId).disconnect(reason),
    endCertificates: async (hostId, certIds, reason) => {
      await stub(hostId).endCertificates({ cert_ids: certIds, reason });
    },
    ping: (hostId, timeoutMs) => stub(hostId).ping(timeoutMs),
    presence: (hostId) => stub(hostId).status(),
    refreshInventory: (hostId) => stub(hostId).refreshInventory(),
    runHealthChecks: (hostId, checks, timeoutMs) => stub(hostId).runHealthChecks(checks, timeoutMs),
    connect: (hostId, request) => stub(hostId).fetch(request),
    discover: (hostId, frame) => stub(hostId).discover(frame),
  };
}
