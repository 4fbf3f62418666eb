import { documentedOperation, routerOf } from "../../lib/route-set";
import { downloadFileHandler } from "./files.handlers";
import { downloadFile } from "./files.routes";

/**
 * `/files/…`: signed-link downloads. Served on `/*` (a key holds slashes, and the link is checked by
 * the domain, whatever the path) by a plain handler documented by its route.
 */
export const filesRouter = routerOf(documentedOperation(downloadFile, downloadFileHandler, "/*"));
