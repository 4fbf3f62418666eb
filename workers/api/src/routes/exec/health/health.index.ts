import { operation as op, routerOf } from "../../../lib/route-set";
import type { Router } from "../../../lib/router";
import { healthHandler, indexHandler } from "./health.handlers";
import { health, index } from "./health.routes";

/** `GET /` and `GET /health`; the index lists what `exec()` (the whole face) serves. */
export function healthRouter(exec: () => Router): Router {
  return routerOf(op(health, healthHandler), op(index, indexHandler(exec)));
}
