import { operation as op, routerOf } from "../../../lib/route-set";
import { installScriptHandler } from "./install.handlers";
import { installScript } from "./install.routes";

/** `GET /agent/v1/install.sh`: the one-line installer. */
export const installRouter = routerOf(op(installScript, installScriptHandler));
