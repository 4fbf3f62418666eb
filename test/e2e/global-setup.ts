import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, type LocalServer, migrateLocal, startLocalServer } from "../../scripts/lib/local-server.mjs";
import { writeTestTls } from "./test-tls";

export const E2E_ADMIN = { username: "admin", password: "E2e-Admin-Pass-1!" };

let server: LocalServer | undefined;
let dir: string | undefined;

/** Starts one real `wrangler dev` on a free loopback port with a fresh local state directory. */
export default async function setup(project: TestProject) {
  dir = mkdtempSync(path.join(tmpdir(), "fleetgate-e2e-"));
  migrateLocal(dir);
  const port = await freePort();
  // Test servers with TLS (SMTP) use a throw-away CA that workerd trusts through NODE_EXTRA_CA_CERTS (test-tls.ts).
  const tls = await writeTestTls(dir);
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra && existsSync(extra)) appendFileSync(tls.caFile, `\n${readFileSync(extra, "utf8")}`);
  process.env.NODE_EXTRA_CA_CERTS = tls.caFile;
  server = await startLocalServer({
    port,
    persistTo: dir,
    vars: {
      MASTER_KEY: "ZTJlLW1hc3Rlci1rZXktZm9yLXRlc3RzLW9ubHktMDAwMDA=",
      PASSWORD_PEPPER: "ZTJlLXBlcHBlci1mb3ItdGVzdHMtb25seS0wMDAwMDAwMDA=",
      FLEETGATE_ADMIN_USERNAME: E2E_ADMIN.username,
      FLEETGATE_ADMIN_PASSWORD: E2E_ADMIN.password,
      // The SSO e2e test runs its identity provider on loopback.
      ALLOW_LOOPBACK_IDP: "true",
    },
  });
  project.provide("baseUrl", server.url);
  project.provide("persistDir", dir);
  project.provide("testTls", tls);
  return async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    persistDir: string;
    testTls: { caFile: string; certFile: string; keyFile: string };
  }
}
