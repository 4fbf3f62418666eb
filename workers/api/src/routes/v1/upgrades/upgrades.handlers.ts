import * as svc from "@fleetgate/domain";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../../context";
import { agentReleaseStore } from "../../../lib/agent-releases";
import { domain } from "../../../lib/domain-context";
import { currentIdentity } from "../current";
import type * as r from "./upgrades.routes";

const vis = (c: Parameters<typeof currentIdentity>[0]) => svc.visibilityOf(currentIdentity(c));

export const availableVersionsHandler: RouteHandler<typeof r.availableVersions, AppEnv> = async (c) => {
  const { host_id } = c.req.valid("query");
  return c.json(await svc.availableAgentVersions(await domain(c), agentReleaseStore(c), host_id, vis(c)), 200);
};

export const triggerHandler: RouteHandler<typeof r.trigger, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const result = await svc.triggerSelfUpgrade(
    await domain(c),
    agentReleaseStore(c),
    {
      hostIds: body.host_ids,
      targetVersion: body.target_version,
      schedule: {
        immediate: body.immediate,
        windowId: body.maintenance_window_id,
        expectedMinutes: body.expected_minutes,
      },
      options: {
        source: "native",
        timeout_seconds: 900,
        queue_ttl_seconds: 600,
        require_online: false,
        max_parallel: 64,
        error_threshold: null,
        submitter: { username: currentIdentity(c).name, source_ip: c.get("clientIp") },
      },
    },
    vis(c),
  );
  return c.json({ job_id: result.job.id, host_count: result.hostCount, skipped: result.skipped }, 200);
};
