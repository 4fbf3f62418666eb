import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./auth.handlers";
import * as r from "./auth.routes";

/** Mounted at /auth: password sign-in, refresh, logout, forced password change and TOTP enrolment. */
export const authRouter = routerOf(
  op(r.login, h.loginHandler),
  op(r.refresh, h.refreshHandler),
  op(r.logout, h.logoutHandler),
  op(r.forceChangePassword, h.forceChangePasswordHandler),
  op(r.mfaSetup, h.mfaSetupHandler),
  op(r.mfaVerify, h.mfaVerifyHandler),
  op(r.mfaDisable, h.mfaDisableHandler),
);
