import { createRouter } from "../../../lib/router";
import * as h from "./session-certificates.handlers";
import * as r from "./session-certificates.routes";

/**
 * Ephemeral API-session certificates (hours-long, bound to the zt-session) and
 * the two-step certificate authenticator extension (`extend` → `extend-verify`).
 */
export const sessionCertificatesRouter = createRouter()
  .openapi(r.listCurrentApiSessionCertificates, h.list)
  .openapi(r.createCurrentApiSessionCertificate, h.create)
  .openapi(r.detailCurrentApiSessionCertificate, h.detail)
  .openapi(r.deleteCurrentApiSessionCertificate, h.remove)
  .openapi(r.extendCurrentIdentityAuthenticator, h.extend)
  .openapi(r.extendVerifyCurrentIdentityAuthenticator, h.extendVerify);
