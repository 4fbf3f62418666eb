import { documentedOperation, routerOf } from "../../../lib/route-set";
import { pingAgents } from "./ping.handlers";
import { ping } from "./ping.routes";

export const pingRouter = routerOf(documentedOperation(ping, pingAgents));
