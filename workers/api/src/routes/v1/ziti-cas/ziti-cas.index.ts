import { createRouter } from "../../../lib/router";
import * as h from "./ziti-cas.handlers";
import * as r from "./ziti-cas.routes";

/** Third-party CAs of the Ziti face (admin), mounted at /api/v1/ziti/cas. */
export const zitiCasRouter = createRouter()
  .openapi(r.listCas, h.listCas)
  .openapi(r.createCa, h.createCa)
  .openapi(r.getCa, h.getCa)
  .openapi(r.updateCa, h.updateCa)
  .openapi(r.deleteCa, h.deleteCa)
  .openapi(r.verifyCa, h.verifyCa)
  .openapi(r.caJwt, h.caJwt);
