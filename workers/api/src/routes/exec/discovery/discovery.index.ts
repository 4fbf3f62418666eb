import { documentedOperation, routerOf } from "../../../lib/route-set";
import { discoverAgents } from "./discovery.handlers";
import { discoveryGet, discoveryPost } from "./discovery.routes";

export const discoveryRouter = routerOf(
  documentedOperation(discoveryGet, discoverAgents),
  documentedOperation(discoveryPost, discoverAgents),
);
