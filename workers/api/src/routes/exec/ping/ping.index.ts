import { serveDocumented } from "../../../lib/documented-route";
import { createRouter } from "../../../lib/router";
import { pingAgents } from "./ping.handlers";
import { ping } from "./ping.routes";

export const pingRouter = serveDocumented(createRouter(), ping, pingAgents);
