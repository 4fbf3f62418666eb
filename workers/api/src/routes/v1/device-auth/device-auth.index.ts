import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./device-auth.handlers";
import * as r from "./device-auth.routes";

/** `/api/v1/auth/device/*`: device authorization for `fleetgate login --sso` (docs/auth.md). */
export const deviceAuthRouter = routerOf(
  op(r.deviceCode, h.deviceCode),
  op(r.deviceToken, h.deviceToken),
  op(r.deviceLookup, h.deviceLookup),
  op(r.deviceApprove, h.deviceApprove),
);
