// `pnpm dev`: the local control plane on http://127.0.0.1:8787 (PORT overrides).
// Writes .dev.vars on first start, applies D1 migrations, then runs wrangler dev.
import { ensureDevVars } from "./lib/dev-vars.mjs";
import { migrateLocal, root, startLocalServer } from "./lib/local-server.mjs";

const port = Number(process.env.PORT ?? 8787);
const vars = ensureDevVars(root);
if (vars.created) {
  console.log("\n  Created .dev.vars with fresh local secrets.");
  console.log("  First login: admin / " + vars.adminPassword);
  console.log(
    "  (shown once; change it after logging in, or set FLEETGATE_ADMIN_PASSWORD in .dev.vars before the first start)\n",
  );
}
migrateLocal();
const server = await startLocalServer({ port, inherit: true, timeoutMs: 120_000 });
console.log(`\n  Fleetgate is up at ${server.url}  (native API ${server.url}/api/v1/docs)\n`);
const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
server.child.on("exit", (code) => process.exit(code ?? 0));
