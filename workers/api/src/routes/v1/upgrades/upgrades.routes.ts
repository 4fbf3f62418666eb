import {
  AvailableVersionList,
  AvailableVersionsQuery,
  errorResponses,
  json,
  jsonBody,
  UpgradeTriggered,
  UpgradeTriggerRequest,
} from "@fleetgate/contract";
import { protectedRoute } from "../route";

const tags = ["Upgrades"];
const P = "/upgrades";

export const availableVersions = protectedRoute(P, "read", {
  method: "get",
  path: "/available-versions",
  tags,
  summary: "Agent versions published for a host's architecture, newest first",
  request: { query: AvailableVersionsQuery },
  responses: { 200: json(AvailableVersionList), ...errorResponses(400, 401, 403, 404) },
});

export const trigger = protectedRoute(P, "write", {
  method: "post",
  path: "/trigger",
  tags,
  summary:
    "Upgrade agents to a version (null = latest): a self_upgrade job, now or (immediate: false / maintenance_window_id) pending until a maintenance window opens; hosts offline (for a job that starts now), not visible, of unknown architecture or already at the version are skipped",
  request: { body: jsonBody(UpgradeTriggerRequest) },
  responses: { 200: json(UpgradeTriggered, "Job created"), ...errorResponses(400, 401, 403, 404) },
});
