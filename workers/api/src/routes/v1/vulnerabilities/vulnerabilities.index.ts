import { operation as op, routerOf } from "../../../lib/route-set";
import * as h from "./vulnerabilities.handlers";
import * as r from "./vulnerabilities.routes";

/** Mounted at /vulnerabilities. */
export const vulnerabilitiesRouter = routerOf(op(r.feeds, h.feeds));
