import { z } from "zod";

/**
 * Network discovery through an agent (docs/agent-protocol.md, "Discovery"): Workers cannot reach
 * private networks, so the control plane asks an online agent to probe a range it may scan (inside
 * the admin's allowlist, at most 1024 addresses) and the agent streams what answered back.
 */
const ScanId = z.string().min(1).max(64);
/** The largest range one scan may cover: an IPv4 /22 (or IPv6 /118). */
export const DISCOVERY_MAX_ADDRESSES = 1024;
/** Per-probe timeout (TCP connect, TLS handshake, reverse DNS) and concurrency limits. */
export const DISCOVERY_PROBE_TIMEOUT_MS = 2000;
export const DISCOVERY_MAX_CONCURRENCY = 128;
/** At most this many results per `discovery_results` frame. */
export const DISCOVERY_BATCH_MAX = 256;
export const SSH_PORT = 22;

/** server → agent: probe every address of `cidr` on `agent_port` and SSH. */
export const DiscoverFrame = z.object({
  type: z.literal("discover"),
  scan_id: ScanId,
  cidr: z.string().min(3).max(64),
  agent_port: z.number().int().min(1).max(65535),
  concurrency: z.number().int().min(1).max(DISCOVERY_MAX_CONCURRENCY),
  timeout_ms: z.number().int().min(100).max(DISCOVERY_PROBE_TIMEOUT_MS),
});
export type DiscoverFrame = z.infer<typeof DiscoverFrame>;

/** The identity a listener on the agent port presented in its TLS handshake (an existing agent's certificate). */
export const DiscoveredIdentity = z.object({
  common_name: z.string().max(255).nullable(),
  dns_names: z.array(z.string().max(255)).max(16),
  fingerprint_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type DiscoveredIdentity = z.infer<typeof DiscoveredIdentity>;

/** One address where something answered (addresses where nothing did are not reported). */
export const DiscoveredAddress = z.object({
  ip_address: z.string().min(2).max(45),
  /** Reverse DNS (the resolver's PTR / hosts entry), null when there is none. */
  fqdn: z.string().max(253).nullable(),
  agent_port_open: z.boolean(),
  ssh_open: z.boolean(),
  identity: DiscoveredIdentity.nullable(),
});
export type DiscoveredAddress = z.infer<typeof DiscoveredAddress>;

/** agent → server: results so far (streamed in batches while the scan runs). */
export const DiscoveryResultsFrame = z.object({
  type: z.literal("discovery_results"),
  scan_id: ScanId,
  results: z.array(DiscoveredAddress).max(DISCOVERY_BATCH_MAX),
});
export type DiscoveryResultsFrame = z.infer<typeof DiscoveryResultsFrame>;

/** agent → server: the scan finished (`error` when the agent refused or could not run it). */
export const DiscoveryDoneFrame = z.object({
  type: z.literal("discovery_done"),
  scan_id: ScanId,
  probed: z.number().int().nonnegative().max(DISCOVERY_MAX_ADDRESSES),
  error: z.string().max(1000).nullable(),
});
export type DiscoveryDoneFrame = z.infer<typeof DiscoveryDoneFrame>;
