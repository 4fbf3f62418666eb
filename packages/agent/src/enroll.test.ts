import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCertificate } from "./cert";
import { enrollWithRequest, enrollWithToken } from "./enroll";
import { EXIT } from "./exit-codes";
import { silentLogger } from "./log";
import { StateDir } from "./state";
import { FakeServer } from "./test-support/fake-server";
import { cleanupTempDirs, TEST_HOST, tempDir, testConfig } from "./test-support/fixtures";

let server: FakeServer;
beforeEach(async () => {
  server = await FakeServer.start();
});
afterEach(async () => {
  await server.close();
});
afterAll(cleanupTempDirs);

async function freshConfig() {
  const dir = await tempDir();
  return testConfig(server.url, path.join(dir, "state"), { hello: "/bin/echo" });
}

const noSleep = async () => {};

describe("enroll --token (OpenZiti ott)", { timeout: 30_000 }, () => {
  it("refuses a token whose em is not ott, before contacting the server", async () => {
    const config = await freshConfig();
    const token = await server.ottToken("id-1", { em: "ca" });
    await expect(enrollWithToken(config, token, { logger: silentLogger })).rejects.toMatchObject({
      exitCode: EXIT.usage,
    });
    expect(server.issued.size).toBe(0);
  });

  it("refuses an expired token", async () => {
    const config = await freshConfig();
    const token = await server.ottToken("id-1", { expiresInSeconds: -10 });
    await expect(enrollWithToken(config, token, { logger: silentLogger })).rejects.toMatchObject({
      exitCode: EXIT.refused,
      message: expect.stringContaining("expired"),
    });
  });

  it("refuses something that is not a JWT", async () => {
    const config = await freshConfig();
    await expect(enrollWithToken(config, "not-a-jwt", { logger: silentLogger })).rejects.toMatchObject({
      exitCode: EXIT.usage,
    });
  });

  it("reports the server's error code when it refuses the token", async () => {
    const config = await freshConfig();
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ em: "ott" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("id-1")
      .setExpirationTime(now + 60)
      .sign(new Uint8Array(32));
    await expect(enrollWithToken(config, forged, { logger: silentLogger })).rejects.toMatchObject({
      exitCode: EXIT.refused,
      message: "enrollment refused: HTTP 400 INVALID_ENROLLMENT_TOKEN: invalid token",
    });
    expect(await new StateDir(config.stateDir).isEnrolled()).toBe(false);
  });

  it("refuses a server that cannot be reached with exit code 5", async () => {
    const config = await freshConfig();
    const token = await server.ottToken("id-1");
    await server.stop();
    await expect(enrollWithToken(config, token, { logger: silentLogger })).rejects.toMatchObject({
      exitCode: EXIT.unavailable,
    });
  });

  it("enrolls end to end: key made here, CSR CN = sub, certificate stored, key 0600", async () => {
    const config = await freshConfig();
    const token = await server.ottToken("identity-42");
    const result = await enrollWithToken(config, token, { logger: silentLogger });
    expect(result.identity).toMatchObject({ identity_id: "identity-42", method: "ott", server: server.url });
    expect(result.certificate.commonName).toBe("identity-42");
    const stateDir = config.stateDir;
    expect((await stat(path.join(stateDir, "key.pem"))).mode & 0o777).toBe(0o600);
    const key = await readFile(path.join(stateDir, "key.pem"), "utf8");
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(parseCertificate(await readFile(path.join(stateDir, "cert.pem"), "utf8")).commonName).toBe("identity-42");
    expect(await readFile(path.join(stateDir, "ca.pem"), "utf8")).toBe(server.ca.certPem);
    expect(JSON.parse(await readFile(path.join(stateDir, "identity.json"), "utf8"))).toMatchObject({
      identity_id: "identity-42",
      server: server.url,
    });
  });

  it("refuses to enroll twice without --force, and re-enrolls with it", async () => {
    const config = await freshConfig();
    await enrollWithToken(config, await server.ottToken("id-1"), { logger: silentLogger });
    const first = await new StateDir(config.stateDir).loadCredentials();
    await expect(
      enrollWithToken(config, await server.ottToken("id-1"), { logger: silentLogger }),
    ).rejects.toMatchObject({ exitCode: EXIT.refused, message: expect.stringContaining("--force") });
    await enrollWithToken(config, await server.ottToken("id-1"), { logger: silentLogger, force: true });
    const second = await new StateDir(config.stateDir).loadCredentials();
    expect(second?.keyPem).not.toBe(first?.keyPem);
  });

  it("maps a reused token (409) to exit code 4", async () => {
    const a = await freshConfig();
    const b = await freshConfig();
    const token = await server.ottToken("id-1");
    await enrollWithToken(a, token, { logger: silentLogger });
    await expect(enrollWithToken(b, token, { logger: silentLogger })).rejects.toMatchObject({ exitCode: EXIT.refused });
  });
});

describe("enroll --request (self-enrollment with approval)", { timeout: 30_000 }, () => {
  it("files a request with host facts and a CSR for the hostname, polls until approved", async () => {
    const config = await freshConfig();
    server.enrollDecision = (polls) => (polls < 3 ? "pending" : "approved");
    const result = await enrollWithRequest(config, {
      logger: silentLogger,
      pollIntervalSeconds: 1,
      maxAttempts: 10,
      hostInfo: TEST_HOST,
      sleep: noSleep,
    });
    const [request] = [...server.enrollRequests.values()];
    expect(request?.body).toMatchObject({
      machine_id: TEST_HOST.machineId,
      fqdn: TEST_HOST.fqdn,
      ip_address: TEST_HOST.ipAddress,
      hostname: "test-host",
      os_details: {
        os: "debian",
        name: TEST_HOST.os.name,
        version: "12",
        codename: "bookworm",
        architecture: "x86_64",
      },
    });
    expect(request?.polls).toBe(3);
    expect(result.identity).toMatchObject({ identity_id: null, method: "request" });
    expect(result.certificate.commonName).toBe("test-host");
    expect((await stat(path.join(config.stateDir, "key.pem"))).mode & 0o777).toBe(0o600);
    expect((await readdir(config.stateDir)).sort()).toEqual(["ca.pem", "cert.pem", "identity.json", "key.pem"]);
  });

  it("stops with exit code 4 when the request is denied, and forgets it", async () => {
    const config = await freshConfig();
    server.enrollDecision = () => "denied";
    await expect(
      enrollWithRequest(config, {
        logger: silentLogger,
        pollIntervalSeconds: 1,
        maxAttempts: 3,
        hostInfo: TEST_HOST,
        sleep: noSleep,
      }),
    ).rejects.toMatchObject({ exitCode: EXIT.refused, message: "the enrollment request was denied" });
    expect(await readdir(config.stateDir)).toEqual([]);
  });

  it("gives up after max attempts with exit code 5, then resumes the same request on the next run", async () => {
    const config = await freshConfig();
    server.enrollDecision = () => "pending";
    await expect(
      enrollWithRequest(config, {
        logger: silentLogger,
        pollIntervalSeconds: 1,
        maxAttempts: 2,
        hostInfo: TEST_HOST,
        sleep: noSleep,
      }),
    ).rejects.toMatchObject({ exitCode: EXIT.unavailable });
    expect((await stat(path.join(config.stateDir, "pending-key.pem"))).mode & 0o777).toBe(0o600);
    server.enrollDecision = () => "approved";
    const result = await enrollWithRequest(config, {
      logger: silentLogger,
      pollIntervalSeconds: 1,
      maxAttempts: 2,
      hostInfo: TEST_HOST,
      sleep: noSleep,
    });
    expect(server.enrollRequests.size).toBe(1);
    expect(result.certificate.commonName).toBe("test-host");
    expect(await readdir(config.stateDir)).not.toContain("enrollment.json");
  });

  it("backs off when rate limited (429) and retries the request", async () => {
    const config = await freshConfig();
    server.rateLimitEnrollments = 2;
    const slept: number[] = [];
    await enrollWithRequest(config, {
      logger: silentLogger,
      pollIntervalSeconds: 7,
      maxAttempts: 5,
      hostInfo: TEST_HOST,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    expect(slept).toEqual([7000, 7000]);
    expect(server.enrollRequests.size).toBe(1);
  });

  it("treats notfound (expired request) as a refusal", async () => {
    const config = await freshConfig();
    server.enrollDecision = () => "pending";
    await expect(
      enrollWithRequest(config, {
        logger: silentLogger,
        pollIntervalSeconds: 1,
        maxAttempts: 1,
        hostInfo: TEST_HOST,
        sleep: noSleep,
      }),
    ).rejects.toMatchObject({ exitCode: EXIT.unavailable });
    server.enrollRequests.clear();
    await expect(
      enrollWithRequest(config, {
        logger: silentLogger,
        pollIntervalSeconds: 1,
        maxAttempts: 1,
        hostInfo: TEST_HOST,
        sleep: noSleep,
      }),
    ).rejects.toMatchObject({ exitCode: EXIT.refused, message: expect.stringContaining("unknown or expired") });
  });
});
