import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./certificates.handlers";
import * as r from "./certificates.routes";

/** Mounted at /certificates. */
export const certificatesRouter = routerOf(op(r.list, h.list), op(r.revoke, h.revoke), op(r.renew, h.renew));

/** Mounted at /hosts: a host's certificates. */
export const hostCertificatesRouter = routerOf(
  op(r.issueForHost, h.issueForHost),
  op(r.reissue, h.reissue),
  op(r.clientCrt, h.clientCrt),
);

/** Mounted at /: the public CA chain and CRL. */
export const publicPkiRouter = routerOf(op(r.rootCrt, h.rootCrt), op(r.crlPem, h.crlPem));
