// Runs emit.check.ts inside workerd (same runtime as production) for the hand-run
// OpenSSL cross-check; see ../openssl-cross-check.sh. Not part of the test suite.
import os from "node:os";
import path from "node:path";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  cacheDir: path.join(os.tmpdir(), "fleetgate-pki-cross-check"),
  plugins: [cloudflareTest({ miniflare: { compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_compat"] } })],
  test: { name: "pki-cross-check", root: import.meta.dirname, include: ["emit.check.ts"] },
});
