import { serveDocumented } from "../../../lib/documented-route";
import { createRouter } from "../../../lib/router";
import { discoverAgents } from "./discovery.handlers";
import { discoveryGet, discoveryPost } from "./discovery.routes";

export const discoveryRouter = serveDocumented(
  serveDocumented(createRouter(), discoveryGet, discoverAgents),
  discoveryPost,
  discoverAgents,
);
