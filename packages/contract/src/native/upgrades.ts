import { z } from "@hono/zod-openapi";
import { AgentSemver } from "../agent/self-upgrade";
import { Uuid } from "./common";

/** Agent self-upgrade, server side (linux-patch-manager.md "upgrades"; docs/agent-distribution.md). */
export const AvailableVersionsQuery = z.object({
  host_id: Uuid.openapi({ param: { name: "host_id", in: "query" } }),
});

export const AvailableVersion = z
  .object({
    version: z.string(),
    distro: z.string(),
    distro_codename: z.string(),
    file_name: z.string(),
    published_at: z.string().openapi({ example: "2026-12-07T14:00:00.000Z" }),
  })
  .openapi("AgentAvailableVersion");
export const AvailableVersionList = z.array(AvailableVersion).openapi("AgentAvailableVersionList");

export const UpgradeTriggerRequest = z
  .object({
    host_ids: z.array(Uuid).min(1).max(10_000),
    /** null (or absent) = the latest published release. */
    target_version: AgentSemver.nullable().default(null),
    immediate: z.boolean().default(true).openapi({
      description:
        "false: run in the hosts' own next maintenance window (every host needs an enabled one, opening at the same time); the job is `pending` until then",
    }),
    maintenance_window_id: Uuid.nullable()
      .default(null)
      .openapi({ description: "Run in this maintenance window: the job is `pending` until it opens" }),
    expected_minutes: z.number().int().min(1).max(1440).default(15).openapi({
      description:
        "Expected run time per host in a maintenance window: no host starts after the window's end minus this",
    }),
  })
  .openapi("UpgradeTriggerRequest");

export const UpgradeSkipReason = z.enum(["not_found", "offline", "unknown_arch", "already_at_version", "no_artifact"]);

export const UpgradeTriggered = z
  .object({
    job_id: Uuid,
    host_count: z.number().int(),
    skipped: z.array(z.object({ host_id: z.string(), reason: UpgradeSkipReason })),
  })
  .openapi("UpgradeTriggered");
