import { mkdirSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Two layers, one command (`pnpm test`):
 *  - workers: tests inside workerd via @cloudflare/vitest-plugin, migrations applied in setup (files named
 *    `*.isolated.test.ts` run in a fresh workerd each; the others share one per pool worker);
 *  - e2e:     Node tests against a real `wrangler dev` started by test/e2e/global-setup.ts.
 */
export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist for workerd; the Worker tests need no build in it.
  mkdirSync(path.join(import.meta.dirname, "packages/dashboard/dist"), { recursive: true });
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  const workersPool = () =>
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: migrations,
          // Fixed test-only keys; real deployments use Workers secrets.
          MASTER_KEY: "dGVzdC1tYXN0ZXIta2V5LWZvci12aXRlc3Qtb25seS0wMQ==",
          PASSWORD_PEPPER: "dGVzdC1wZXBwZXItZm9yLXZpdGVzdC1vbmx5LTAwMDAwMA==",
          LOG_LEVEL: "warn",
          FLEETGATE_ADMIN_USERNAME: "admin",
          FLEETGATE_ADMIN_PASSWORD: "Admin-Pass-123!",
        },
      },
    });
  const workersTests = [
    "test/api/**/*.test.ts",
    "packages/{auth,pki,contract,domain}/src/**/*.test.ts",
    "workers/*/src/**/*.test.ts",
  ];
  return {
    test: {
      projects: [
        {
          plugins: [workersPool()],
          test: {
            name: "workers",
            // One workerd and one module graph per pool worker, reused across files: storage is shared
            // between the files a worker runs, so tests use run-unique names and never assume an empty fleet.
            isolate: false,
            include: workersTests,
            // Generous: a loaded 2-core machine runs these files two at a time; no test asserts a duration.
            testTimeout: 20_000,
            exclude: ["**/*.isolated.test.ts", "**/node_modules/**"],
            setupFiles: ["./test/api/setup.ts"],
          },
        },
        {
          plugins: [workersPool()],
          test: {
            name: "workers-isolated",
            // Files that change deployment-wide state (settings, the audit chain, signer caches) get their own
            // workerd and storage each.
            include: workersTests.map((glob) => glob.replace(/\.test\.ts$/, ".isolated.test.ts")),
            testTimeout: 20_000,
            setupFiles: ["./test/api/setup.ts"],
          },
        },
        {
          test: {
            name: "node",
            environment: "node",
            include: [
              "packages/agent/src/**/*.test.ts",
              "packages/agent/release/**/*.test.ts",
              "packages/sdk/src/**/*.test.ts",
              "packages/cli/src/**/*.test.ts",
              "scripts/**/*.test.ts",
              "test/arch/**/*.test.ts",
              "test/node/**/*.test.ts",
            ],
          },
        },
        {
          test: {
            name: "dashboard",
            environment: "jsdom",
            include: ["packages/dashboard/src/**/*.test.{ts,tsx}"],
          },
        },
        {
          test: {
            name: "e2e",
            environment: "node",
            include: ["test/e2e/**/*.test.ts"],
            globalSetup: ["./test/e2e/global-setup.ts"],
            testTimeout: 60_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});
