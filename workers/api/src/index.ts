import { app } from "./app";
import type { Bindings } from "./context";
import { rewriteZitiLegacy } from "./lib/face";

export { EventHub, HostChannel, JobRun } from "@fleetgate/realtime";

/** The control-plane Worker: HTTP faces, the TASKS queue consumer and the cron handler. */
export default {
  fetch(request, env, ctx) {
    return app.fetch(rewriteZitiLegacy(request), env, ctx);
  },
} satisfies ExportedHandler<Bindings>;
