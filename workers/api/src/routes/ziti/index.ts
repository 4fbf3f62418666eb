import { createRouter } from "../../lib/router";
import { versionRouter } from "./version/version.index";

/** The OpenZiti edge-client face, mounted at /edge/client/v1 (legacy paths are rewritten to it). */
export const ziti = createRouter();
ziti.route("/", versionRouter);
