import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Agent } from "./agent";
import { createLogger } from "./log";
import { renewIfDue } from "./renew";
import { StateDir } from "./state";
import { FakeServer, waitFor } from "./test-support/fake-server";
import { cleanupTempDirs, enrolledConfig, TEST_HOST } from "./test-support/fixtures";

let server: FakeServer;
beforeEach(async () => {
  server = await FakeServer.start();
});
afterEach(async () => {
  await server.close();
});
afterAll(cleanupTempDirs);

const HOUR = 3600_000;
const silent = createLogger({ write: () => {} });

/** An enrolled host whose certificate has used `usedFraction` of a 3-hour lifetime. */
async function hostWithAgedCert(usedFraction: number) {
  const now = Date.now();
  server.validity = {
    notBefore: new Date(now - usedFraction * 3 * HOUR),
    notAfter: new Date(now + (1 - usedFraction) * 3 * HOUR),
  };
  const enrolled = await enrolledConfig(server);
  server.validity = {};
  const state = new StateDir(enrolled.config.stateDir);
  const credentials = await state.loadCredentials();
  if (!credentials) throw new Error("not enrolled");
  return { ...enrolled, state, credentials };
}

describe("certificate renewal", { timeout: 30_000 }, () => {
  it("does nothing before 2/3 of the lifetime has passed", async () => {
    const { config, state, credentials } = await hostWithAgedCert(0.5);
    const outcome = await renewIfDue({ config, state, credentials, logger: silent });
    expect(outcome.renewed).toBe(false);
    expect(server.renewals).toEqual([]);
  });

  it("renews with a new key and the same CN after 2/3, and swaps key and certificate together", async () => {
    const { config, state, credentials } = await hostWithAgedCert(0.7);
    const outcome = await renewIfDue({ config, state, credentials, logger: silent });
    expect(outcome.renewed).toBe(true);
    expect(server.renewals).toEqual(["identity-1"]);
    const fresh = await state.loadCredentials(); // also checks that cert.pem certifies key.pem
    expect(fresh?.keyPem).not.toBe(credentials.keyPem);
    expect(fresh?.cert.commonName).toBe("identity-1");
    expect(fresh?.cert.fingerprintSha256).not.toBe(credentials.cert.fingerprintSha256);
    expect(await readFile(path.join(config.stateDir, "ca.pem"), "utf8")).toBe(server.ca.certPem);
  });

  it("keeps the current key and certificate when the server refuses the renewal", async () => {
    const { config, state, credentials } = await hostWithAgedCert(0.7);
    server.revoke("identity-1");
    await expect(renewIfDue({ config, state, credentials, logger: silent })).rejects.toThrow(
      "renewal refused: HTTP 401",
    );
    expect((await state.loadCredentials())?.keyPem).toBe(credentials.keyPem);
  });

  it("renews at start of `run` and uses the new certificate for the next connection", async () => {
    const { config, credentials } = await hostWithAgedCert(0.8);
    const agent = await Agent.start({
      config,
      logger: silent,
      backoffBaseMs: 20,
      backoffCapMs: 100,
      hostInfo: TEST_HOST,
    });
    try {
      await server.waitForAgent();
      expect(server.renewals).toEqual(["identity-1"]);
      // The old certificate is no longer accepted: only the renewed one can connect now.
      for (const entry of server.issued.values()) {
        if (entry.cert.serialNumber === credentials.cert.serialNumber) entry.revoked = true;
      }
      await server.restart();
      await server.waitForAgent(2);
      await waitFor(() => server.connections >= 2, "second connection");
      expect(server.refusals).toEqual([]);
    } finally {
      await agent.stop();
    }
  });
});
