import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./ziti-cas.handlers";
import * as r from "./ziti-cas.routes";

/** Third-party CAs of the Ziti face (admin), mounted at /api/v1/ziti/cas. */
export const zitiCasRouter = routerOf(
  op(r.listCas, h.listCas),
  op(r.createCa, h.createCa),
  op(r.getCa, h.getCa),
  op(r.updateCa, h.updateCa),
  op(r.deleteCa, h.deleteCa),
  op(r.verifyCa, h.verifyCa),
  op(r.caJwt, h.caJwt),
);
