import { operation as op, routerOf } from "../../../lib/route-set";
import { availableVersionsHandler, triggerHandler } from "./upgrades.handlers";
import { availableVersions, trigger } from "./upgrades.routes";

/** Agent self-upgrade, server side (docs/agent-distribution.md, "Self-upgrade (server side)"). */
export const upgradesRouter = routerOf(op(availableVersions, availableVersionsHandler), op(trigger, triggerHandler));
