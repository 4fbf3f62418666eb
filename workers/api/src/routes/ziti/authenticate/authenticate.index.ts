import { operation as op, routerOf } from "../../../lib/route-set";
import { authenticateHandler, authenticateMfaHandler, authenticateValidation } from "./authenticate.handlers";
import { authenticate, authenticateMfa } from "./authenticate.routes";

/** Signing in (password, certificate, external JWT) and completing a pending second factor. */
export const authenticateRouter = routerOf(
  op(authenticate, authenticateHandler, authenticateValidation),
  op(authenticateMfa, authenticateMfaHandler),
);
