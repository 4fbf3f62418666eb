import { operation as op, routerOf } from "../../../lib/route-set";
import { registerHostHandler } from "./host-registration.handlers";
import { registerHost } from "./host-registration.routes";

/** `POST /api/v1/hosts`: manual registration by name (docs/agent-distribution.md). */
export const hostRegistrationRouter = routerOf(op(registerHost, registerHostHandler));
