import { createRouter } from "../../../lib/router";
import { availableVersionsHandler, triggerHandler } from "./upgrades.handlers";
import { availableVersions, trigger } from "./upgrades.routes";

/** Agent self-upgrade, server side (docs/agent-distribution.md, "Self-upgrade (server side)"). */
export const upgradesRouter = createRouter()
  .openapi(availableVersions, availableVersionsHandler)
  .openapi(trigger, triggerHandler);
