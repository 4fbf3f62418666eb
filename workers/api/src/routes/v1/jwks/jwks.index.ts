import { operation as op, routerOf } from "../../../lib/route-set";
import { jwksHandler } from "./jwks.handlers";
import { jwks } from "./jwks.routes";

/** `GET /.well-known/jwks.json`: keys that verify Fleetgate access tokens (active + retiring). */
export const jwksRouter = routerOf(op(jwks, jwksHandler));
