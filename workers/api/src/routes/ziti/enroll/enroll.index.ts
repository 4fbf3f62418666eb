import { createRouter } from "../../../lib/router";
import * as h from "./enroll.handlers";
import * as r from "./enroll.routes";

export { estCacerts } from "./enroll.handlers";

/** `/enroll/*`, `/network-jwts` on the Ziti face. */
export const enrollRouter = createRouter()
  .openapi(r.enrollOtt, h.enrollOtt)
  .openapi(r.enrollUpdb, h.enrollUpdb)
  .openapi(r.enrollOttCa, h.enrollOttCa)
  .openapi(r.enrollCa, h.enrollCa)
  .openapi(r.enrollLegacy, h.enrollLegacy)
  .openapi(r.getEnrollmentJwks, h.enrollmentJwks)
  .openapi(r.enrollmentChallenge, h.enrollmentChallenge)
  .openapi(r.listNetworkJwts, h.networkJwts);

/** `GET /.well-known/est/cacerts`. */
export const cacertsRouter = createRouter().openapi(r.estCacerts, h.estCacerts);
