import { createRouter } from "../../lib/router";
import { discoveryRouter } from "./discovery/discovery.index";
import { healthRouter } from "./health/health.index";
import { openapiRouter } from "./openapi/openapi.index";
import { pingRouter } from "./ping/ping.index";
import { runRouter } from "./run/run.index";
import { statusRouter } from "./status/status.index";

/** The ctrl-exec face, mounted at the root (ctrl-exec.md). */
export const exec = createRouter();
exec
  .route(
    "/",
    healthRouter(() => exec),
  )
  .route("/", pingRouter)
  .route("/", runRouter)
  .route("/", discoveryRouter)
  .route("/", statusRouter)
  .route(
    "/",
    openapiRouter(() => exec),
  );
