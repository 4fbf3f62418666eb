import { createRouter } from "../../../lib/router";
import { installScriptHandler } from "./install.handlers";
import { installScript } from "./install.routes";

/** `GET /agent/v1/install.sh`: the one-line installer. */
export const installRouter = createRouter().openapi(installScript, installScriptHandler);
