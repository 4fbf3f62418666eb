// Fails when worker-configuration.d.ts is stale relative to wrangler.toml.
import { execFileSync } from "node:child_process";

try {
  execFileSync(
    "wrangler",
    ["types", "--env-interface", "Env", "--strict-vars=false", "--check", "worker-configuration.d.ts"],
    { stdio: "inherit" },
  );
} catch {
  console.error("worker-configuration.d.ts is out of date: run `pnpm types` and commit it.");
  process.exit(1);
}
