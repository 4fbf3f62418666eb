import { createRouter } from "../../lib/router";
import { healthRouter } from "./health/health.index";

/** The ctrl-exec face, mounted at the root (ctrl-exec.md). */
export const exec = createRouter();
exec.route(
  "/",
  healthRouter(() => exec),
);
