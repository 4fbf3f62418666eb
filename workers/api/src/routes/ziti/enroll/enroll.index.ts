import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./enroll.handlers";
import * as r from "./enroll.routes";

export { estCacerts } from "./enroll.handlers";

/** `/enroll/*`, `/network-jwts` on the Ziti face. */
export const enrollRouter = routerOf(
  op(r.enrollOtt, h.enrollOtt),
  op(r.enrollUpdb, h.enrollUpdb),
  op(r.enrollOttCa, h.enrollOttCa),
  op(r.enrollCa, h.enrollCa),
  op(r.enrollLegacy, h.enrollLegacy),
  op(r.getEnrollmentJwks, h.enrollmentJwks),
  op(r.enrollmentChallenge, h.enrollmentChallenge),
  op(r.listNetworkJwts, h.networkJwts),
);

/** `GET /.well-known/est/cacerts`. */
export const cacertsRouter = routerOf(op(r.estCacerts, h.estCacerts));
