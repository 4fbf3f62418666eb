import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./session-certificates.handlers";
import * as r from "./session-certificates.routes";

/**
 * Ephemeral API-session certificates (hours-long, bound to the zt-session) and
 * the two-step certificate authenticator extension (`extend` → `extend-verify`).
 */
export const sessionCertificatesRouter = routerOf(
  op(r.listCurrentApiSessionCertificates, h.list),
  op(r.createCurrentApiSessionCertificate, h.create),
  op(r.detailCurrentApiSessionCertificate, h.detail),
  op(r.deleteCurrentApiSessionCertificate, h.remove),
  op(r.extendCurrentIdentityAuthenticator, h.extend),
  op(r.extendVerifyCurrentIdentityAuthenticator, h.extendVerify),
);
