import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./signing-keys.handlers";
import * as r from "./signing-keys.routes";

/** Mounted at /settings: access-token signing key rotation. */
export const signingKeysRouter = routerOf(op(r.rotate, h.rotate));
