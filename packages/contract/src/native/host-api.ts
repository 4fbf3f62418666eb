import { z } from "@hono/zod-openapi";
import { Timestamp, Uuid } from "./common";
import { HostHealthStatus } from "./hosts";

/**
 * Host resources of the native face (linux-patch-manager.md §4 Hosts), plus
 * what the agent connection adds: registry `name`, `online`, `last_seen_at`,
 * tags and the scripts each host allowlists.
 */

export const CrlStatus = z.enum(["valid", "expired", "missing", "invalid", "not_reporting"]);

export const HostSummary = z
  .object({
    id: Uuid,
    name: z.string().openapi({ description: "Registry name (ctrl-exec addresses hosts by it)" }),
    fqdn: z.string(),
    ip_address: z.string(),
    display_name: z.string(),
    os_family: z.string(),
    os_name: z.string(),
    health_status: HostHealthStatus,
    agent_version: z.string(),
    patches_missing: z.number().int(),
    health_check_status: z.enum(["all_healthy", "some_unhealthy"]).nullable(),
    registered_at: Timestamp,
    crl_status: CrlStatus,
    online: z.boolean().openapi({ description: "The agent holds its WebSocket to the control plane" }),
    last_seen_at: Timestamp.nullable(),
  })
  .openapi("HostSummary");

export const HostList = z
  .object({ hosts: z.array(HostSummary), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi("HostList");

export const HostDetail = z
  .object({
    id: Uuid,
    name: z.string(),
    fqdn: z.string(),
    ip_address: z.string(),
    display_name: z.string(),
    os_family: z.string(),
    os_name: z.string(),
    arch: z.string(),
    agent_version: z.string(),
    health_status: HostHealthStatus,
    last_health_at: Timestamp.nullable(),
    last_patch_at: Timestamp.nullable(),
    agent_port: z.number().int(),
    notes: z.string(),
    registered_at: Timestamp,
    updated_at: Timestamp,
    crl_status: CrlStatus,
    crl_age_seconds: z.number().int().nullable(),
    crl_next_update: Timestamp.nullable(),
    gpg_key_status: z.string().nullable(),
    gpg_key_expires_at: Timestamp.nullable(),
    online: z.boolean(),
    last_seen_at: Timestamp.nullable(),
    reported_hostname: z.string().nullable(),
    tags: z
      .record(z.string(), z.string())
      .openapi({ description: "Tags an admin assigned (PUT /hosts/{id}/tags); job targeting by tag uses these only" }),
    labels: z
      .record(z.string(), z.string())
      .openapi({ description: "What the host's agent reports about itself; never selects job targets" }),
    boot: z
      .object({
        boot_id: z.string(),
        kernel: z.string(),
        booted_at: Timestamp,
        reported_at: Timestamp,
      })
      .nullable()
      .openapi({
        description:
          "The boot the agent last reported on connect (kernel boot id, running kernel, boot time); null: never reported",
      }),
  })
  .openapi("HostDetail");

export const UpdateHostRequest = z
  .object({
    fqdn: z.string().min(1).max(253).optional(),
    ip_address: z.union([z.ipv4(), z.ipv6(), z.literal("")]).optional(),
    display_name: z.string().max(200).optional(),
    notes: z.string().max(10_000).optional(),
  })
  .strict()
  .openapi("UpdateHostRequest");

export const AddHostGroupRequest = z.object({ group_id: Uuid }).openapi("AddHostGroupRequest");

export const HostGroupParams = z.object({
  id: Uuid.openapi({ param: { name: "id", in: "path" } }),
  group_id: Uuid.openapi({ param: { name: "group_id", in: "path" } }),
});

export const HostScript = z
  .object({
    name: z.string(),
    path: z.string(),
    description: z.string(),
    executable: z.boolean(),
    sha256: z.string(),
    updated_at: Timestamp,
  })
  .openapi("HostScript");
