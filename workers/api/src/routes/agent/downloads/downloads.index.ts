import { operation as op, routerOf } from "../../../lib/route-set";
import { downloadHandler, manifestHandler } from "./downloads.handlers";
import { download, manifest } from "./downloads.routes";

/** `/agent/v1/download/{name}` and `/agent/v1/releases/{version}`: public agent downloads (docs/agent-distribution.md). */
export const downloadsRouter = routerOf(op(download, downloadHandler), op(manifest, manifestHandler));
