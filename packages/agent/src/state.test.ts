import { readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateKeyPair, privateKeyToPem } from "./keys";
import { StateDir } from "./state";
import { FakeServer } from "./test-support/fake-server";
import { cleanupTempDirs, enrolledConfig, tempDir } from "./test-support/fixtures";

afterAll(cleanupTempDirs);

describe("state dir", { timeout: 30_000 }, () => {
  it("stores the key with mode 0600 in a 0700 directory", async () => {
    const server = await FakeServer.start();
    try {
      const { config } = await enrolledConfig(server);
      expect((await stat(config.stateDir)).mode & 0o777).toBe(0o700);
      expect((await stat(path.join(config.stateDir, "key.pem"))).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(config.stateDir, "identity.json"))).mode & 0o777).toBe(0o600);
      expect((await readdir(config.stateDir)).sort()).toEqual(["ca.pem", "cert.pem", "identity.json", "key.pem"]);
    } finally {
      await server.close();
    }
  });

  it("tightens an existing state dir to 0700", async () => {
    const dir = path.join(await tempDir(), "state");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(dir, { mode: 0o755 });
    await new StateDir(dir).prepare();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it("removes temp files a crash left behind, but nothing else", async () => {
    const dir = path.join(await tempDir(), "state");
    const state = new StateDir(dir);
    await state.prepare();
    await writeFile(path.join(dir, "commands.json.tmp-123-abc"), "partial");
    await writeFile(path.join(dir, "notes.txt"), "keep");
    await state.prepare();
    expect(await readdir(dir)).toEqual(["notes.txt"]);
  });

  it("discards new credential files written before the swap was committed", async () => {
    const server = await FakeServer.start();
    try {
      const { config } = await enrolledConfig(server);
      const state = new StateDir(config.stateDir);
      const before = await state.loadCredentials();
      const other = await privateKeyToPem((await generateKeyPair()).privateKey);
      await writeFile(path.join(config.stateDir, "key.pem.new"), other, { mode: 0o600 });
      await state.prepare();
      const after = await state.loadCredentials();
      expect(after?.keyPem).toBe(before?.keyPem);
      expect(await readdir(config.stateDir)).not.toContain("key.pem.new");
    } finally {
      await server.close();
    }
  });

  it("completes a committed swap that a crash interrupted half-way", async () => {
    const server = await FakeServer.start();
    try {
      const first = await enrolledConfig(server, { identity: "id-a" });
      const second = await enrolledConfig(server, { identity: "id-b" });
      const a = first.config.stateDir;
      const b = await new StateDir(second.config.stateDir).loadCredentials();
      if (!b) throw new Error("second host not enrolled");
      // Crash after the commit marker and the key rename, before cert/ca were renamed:
      await writeFile(path.join(a, "key.pem"), b.keyPem, { mode: 0o600 });
      await writeFile(path.join(a, "cert.pem.new"), b.certPem);
      await writeFile(path.join(a, "ca.pem.new"), b.caPem);
      await writeFile(path.join(a, "swap.ready"), "x");
      const state = new StateDir(a);
      await state.prepare();
      const loaded = await state.loadCredentials();
      expect(loaded?.cert.fingerprintSha256).toBe(b.cert.fingerprintSha256);
      expect(await readdir(a)).not.toContain("swap.ready");
    } finally {
      await server.close();
    }
  });

  it("refuses a certificate that does not certify key.pem", async () => {
    const server = await FakeServer.start();
    try {
      const { config } = await enrolledConfig(server);
      const other = await privateKeyToPem((await generateKeyPair()).privateKey);
      await writeFile(path.join(config.stateDir, "key.pem"), other, { mode: 0o600 });
      await expect(new StateDir(config.stateDir).loadCredentials()).rejects.toThrow(
        "cert.pem does not certify key.pem",
      );
    } finally {
      await server.close();
    }
  });
});
