import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./audit.handlers";
import * as r from "./audit.routes";

/** Mounted at /audit: the audit log. */
export const auditRouter = routerOf(op(r.list, h.list));

/** Mounted at /settings: the hash-chain check. */
export const integrityRouter = routerOf(op(r.integrity, h.integrity));
