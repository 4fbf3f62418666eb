import { operation as op, routerOf } from "../../../lib/route-set";
import { enumeratedCapabilitiesHandler, protocolsHandler, rootHandler, versionHandler } from "./version.handlers";
import { enumeratedCapabilities, protocols, root, version } from "./version.routes";

export { ZITI_API_VERSION } from "./version.handlers";

/** The controller's version and capability probes. */
export const versionRouter = routerOf(
  op(version, versionHandler),
  op(root, rootHandler),
  op(enumeratedCapabilities, enumeratedCapabilitiesHandler),
  op(protocols, protocolsHandler),
);
