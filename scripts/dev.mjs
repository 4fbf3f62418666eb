// `pnpm dev`: the local control plane and dashboard on http://127.0.0.1:8787 (PORT overrides).
// Completes .dev.vars (never overwriting a line), builds the dashboard, applies D1
// migrations, then runs wrangler dev. FLEETGATE_ADMIN_USERNAME / FLEETGATE_ADMIN_PASSWORD
// from the environment take precedence over .dev.vars.
import { ensureDevVars } from "./lib/dev-vars.mjs";
import { ensureDashboard, migrateLocal, root, startLocalServer } from "./lib/local-server.mjs";

const port = Number(process.env.PORT ?? 8787);
const dev = ensureDevVars(root);
if (dev.added.length > 0) {
  console.log(`\n  ${dev.created ? "Created" : "Completed"} .dev.vars (added ${dev.added.join(", ")}).`);
}
if (dev.adminPassword) {
  console.log(`  First login: admin / ${dev.adminPassword}`);
  console.log(
    "  (shown once; change it after signing in, or set FLEETGATE_ADMIN_PASSWORD in the environment or .dev.vars before the first start)\n",
  );
} else if (dev.adminFromEnv) {
  console.log(`\n  Bootstrap admin from the environment: ${dev.vars.FLEETGATE_ADMIN_USERNAME}`);
}
ensureDashboard({ force: process.env.FLEETGATE_SKIP_DASHBOARD_BUILD !== "1" });
migrateLocal();
const server = await startLocalServer({ port, inherit: true, timeoutMs: 120_000, vars: dev.vars });
console.log(`\n  Fleetgate is up. Dashboard: ${server.url}/app/   (native API ${server.url}/api/v1/docs)\n`);
const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
server.child.on("exit", (code) => process.exit(code ?? 0));
