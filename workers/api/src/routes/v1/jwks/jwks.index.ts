import { createRouter } from "../../../lib/router";
import { jwksHandler } from "./jwks.handlers";
import { jwks } from "./jwks.routes";

/** `GET /.well-known/jwks.json`: keys that verify Fleetgate access tokens (active + retiring). */
export const jwksRouter = createRouter().openapi(jwks, jwksHandler);
