import { operation as op, routerOf } from "../../../lib/route-set";
import { signers } from "./external-jwt-signers.handlers";
import { listExternalJwtSigners } from "./external-jwt-signers.routes";

/** `GET /external-jwt-signers`: the signers an SDK may authenticate with (`method=ext-jwt`). */
export const externalJwtSignersRouter = routerOf(op(listExternalJwtSigners, signers));
