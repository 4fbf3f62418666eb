import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";

/**
 * Network discovery through agents (linux-patch-manager.md §4 Discovery; docs/agent-distribution.md):
 * the range is scanned by an online agent in that network, never by the Worker.
 */
export const DiscoveryScanRequest = z
  .object({
    cidr: z.string().trim().min(1).max(64).openapi({ example: "10.20.4.0/24" }),
    agent_port: z.number().int().min(1).max(65535).default(12443),
    /** The agent that scans: a host by id… */
    via_host_id: Uuid.optional(),
    /** …or the first online host carrying this tag (`key` or `key=value`). */
    via_tag: z.string().min(1).max(321).optional(),
  })
  .openapi("DiscoveryScanRequest");

export const DiscoveryScanStarted = z
  .object({
    scan_id: Uuid,
    message: z.literal("Discovery scan started"),
    cidr: z.string(),
    via_host_id: Uuid,
  })
  .openapi("DiscoveryScanStarted");

export const ScanIdParam = z.object({ scan_id: Uuid.openapi({ param: { name: "scan_id", in: "path" } }) });

export const DiscoveredHost = z
  .object({
    id: Uuid,
    scan_id: Uuid,
    ip_address: z.string(),
    /** Reverse DNS, else the name the agent on the port presented, else null. */
    fqdn: z.string().nullable(),
    agent_version: z.string().nullable(),
    os_name: z.string().nullable(),
    agent_port: z.number().int(),
    discovered_at: Timestamp,
    registered: z.boolean(),
    agent_port_open: z.boolean(),
    ssh_open: z.boolean(),
    /** The certificate a TLS listener on the agent port presented (an existing agent's identity). */
    agent_identity: z
      .object({ common_name: z.string().nullable(), dns_names: z.array(z.string()), fingerprint_sha256: z.string() })
      .nullable(),
    /** The registry host this address is (registered from it, or whose name its agent presented). */
    host_id: Uuid.nullable(),
  })
  .openapi("DiscoveredHost");

export const DiscoveredHostList = z.array(DiscoveredHost).openapi("DiscoveredHostList");

export const DiscoveryScanStatus = z
  .object({
    scan_id: Uuid,
    cidr: z.string(),
    agent_port: z.number().int(),
    via_host_id: Uuid.nullable(),
    status: z.enum(["running", "completed", "failed"]),
    probed: z.number().int(),
    found: z.number().int(),
    error: z.string().nullable(),
    started_at: Timestamp,
    completed_at: Timestamp.nullable(),
  })
  .openapi("DiscoveryScanStatus");

export const RegisterDiscoveredRequest = z
  .object({
    display_name: z.string().max(255).optional(),
    group_ids: z.array(Uuid).max(100).optional(),
  })
  .openapi("RegisterDiscoveredRequest");

export const RegisterDiscoveredResponse = z
  .object({
    host_id: Uuid,
    message: z.literal("Host registered from discovery"),
    enrollment: z.object({ id: Uuid, jwt: z.string(), expires_at: Timestamp }),
    install_command: z.string(),
  })
  .openapi("RegisterDiscoveredResponse");
