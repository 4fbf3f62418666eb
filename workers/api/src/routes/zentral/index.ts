import { createRouter } from "../../lib/router";

/** The Zentral core face, mounted at /api (task results, OIDC token exchange). */
export const zentral = createRouter();
