import { operation as op, routerOf } from "../../../lib/route-set";
import {
  detailCurrentIdentityAuthenticatorHandler,
  listCurrentIdentityAuthenticatorsHandler,
  patchCurrentIdentityAuthenticatorHandler,
  updateCurrentIdentityAuthenticatorHandler,
} from "./authenticators.handlers";
import {
  detailCurrentIdentityAuthenticator,
  listCurrentIdentityAuthenticators,
  patchCurrentIdentityAuthenticator,
  updateCurrentIdentityAuthenticator,
} from "./authenticators.routes";

/** The current identity's authenticators: list, read, and change its own password. */
export const authenticatorsRouter = routerOf(
  op(listCurrentIdentityAuthenticators, listCurrentIdentityAuthenticatorsHandler),
  op(detailCurrentIdentityAuthenticator, detailCurrentIdentityAuthenticatorHandler),
  op(updateCurrentIdentityAuthenticator, updateCurrentIdentityAuthenticatorHandler),
  op(patchCurrentIdentityAuthenticator, patchCurrentIdentityAuthenticatorHandler),
);
