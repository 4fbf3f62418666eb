import { auditSequencerStub } from "@fleetgate/domain";
import { handleQueue, runSweeps } from "@fleetgate/tasks";
import { app } from "./app";
import type { Bindings } from "./context";
import { rewriteZitiLegacy } from "./dialects";
import { serveDashboard } from "./lib/dashboard";

export { AuditSequencer, EventHub, HostChannel, JobRun } from "@fleetgate/realtime";

/** The control-plane Worker: HTTP faces, the TASKS queue consumer and the cron handler. */
export default {
  async fetch(request, env, ctx) {
    return (await serveDashboard(request, env.ASSETS)) ?? app.fetch(rewriteZitiLegacy(request), env, ctx);
  },
  queue(batch, env) {
    return handleQueue(batch, env);
  },
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runSweeps(env, controller.scheduledTime));
    // Backstop for the audit ledger: entries whose writer's wake-up was lost get sealed now.
    ctx.waitUntil(auditSequencerStub(env.AUDIT_LEDGER).wake());
  },
} satisfies ExportedHandler<Bindings>;
