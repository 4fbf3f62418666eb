import { createRouter } from "../../lib/router";
import { mountNativeDocs } from "./openapi";

/** The native face, mounted at /api/v1. Resource routers are chained here. */
export const v1 = createRouter();
mountNativeDocs(v1);
