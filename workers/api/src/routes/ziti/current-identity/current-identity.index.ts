import { operation as op, routerOf } from "../../../lib/route-set";
import { getCurrentIdentityHandler } from "./current-identity.handlers";
import { getCurrentIdentity } from "./current-identity.routes";

/** The caller's own identity. */
export const currentIdentityRouter = routerOf(op(getCurrentIdentity, getCurrentIdentityHandler));
