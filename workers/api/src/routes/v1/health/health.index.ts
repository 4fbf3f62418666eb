import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./health.handlers";
import * as r from "./health.routes";

/** `GET /status/health`: served at the root, owned by the native face. */
export const healthRouter = routerOf(op(r.health, h.health));
