// Regenerates the dashboard's API types from the OpenAPI document the native face serves:
// starts a throwaway `wrangler dev`, saves /api/v1/openapi.json to openapi/native.json
// (server URL normalised) and runs openapi-typescript. test/api/dashboard-openapi.test.ts
// fails when the committed document no longer matches the served one.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, migrateLocal, startLocalServer } from "../../../scripts/lib/local-server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, "..");
const dir = mkdtempSync(path.join(tmpdir(), "fleetgate-openapi-"));
try {
  migrateLocal(dir);
  const server = await startLocalServer({
    port: await freePort(),
    persistTo: dir,
    vars: {
      MASTER_KEY: "Z2VuLWFwaS1tYXN0ZXIta2V5LW9ubHktZm9yLXR5cGVzLTA=",
      PASSWORD_PEPPER: "Z2VuLWFwaS1wZXBwZXItb25seS1mb3ItdHlwZXMtMDAwMA==",
    },
  });
  try {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    if (!res.ok) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`);
    const doc = await res.json();
    doc.servers = [{ url: "/api/v1" }];
    writeFileSync(path.join(pkg, "openapi", "native.json"), `${JSON.stringify(doc, null, 2)}\n`);
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const gen = spawnSync(
  process.execPath,
  [
    path.join(pkg, "node_modules", "openapi-typescript", "bin", "cli.js"),
    "openapi/native.json",
    "-o",
    "src/api/schema.gen.ts",
  ],
  { cwd: pkg, stdio: "inherit" },
);
process.exit(gen.status ?? 1);
