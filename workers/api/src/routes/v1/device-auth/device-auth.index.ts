import { createRouter } from "../../../lib/router";
import * as h from "./device-auth.handlers";
import * as r from "./device-auth.routes";

/** `/api/v1/auth/device/*`: device authorization for `fleetgate login --sso` (docs/auth.md). */
export const deviceAuthRouter = createRouter()
  .openapi(r.deviceCode, h.deviceCode)
  .openapi(r.deviceToken, h.deviceToken)
  .openapi(r.deviceLookup, h.deviceLookup)
  .openapi(r.deviceApprove, h.deviceApprove);
