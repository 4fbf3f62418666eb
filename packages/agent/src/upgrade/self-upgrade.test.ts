import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { SELF_UPGRADE_COMMAND } from "@fleetgate/contract/agent";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Agent } from "../agent";
import { silentLogger } from "../log";
import { FakeServer, waitFor } from "../test-support/fake-server";
import { cleanupTempDirs, enrolledConfig, TEST_HOST, tempDir } from "../test-support/fixtures";
import { SelfUpgrader, UpgradeError } from "./self-upgrade";

afterAll(cleanupTempDirs);

const PLATFORM = process.arch === "arm64" ? "linux-arm64" : "linux-x64";
const NEW_BYTES = Buffer.from("#!/bin/sh\necho 9.9.9\n");
const NEW_SHA = createHash("sha256").update(NEW_BYTES).digest("hex");

interface Setup {
  dir: string;
  exe: string;
  stateDir: string;
  restarts: number;
  fetched: string[];
  upgrader: (overrides?: Partial<ConstructorParameters<typeof SelfUpgrader>[0]>) => SelfUpgrader;
}

async function setup(): Promise<Setup> {
  const dir = await tempDir("fleetgate-upgrade-");
  const exe = path.join(dir, "bin", "fleetgate-agent");
  const stateDir = path.join(dir, "state");
  await mkdir(path.dirname(exe), { recursive: true });
  await mkdir(stateDir, { recursive: true });
  await writeFile(exe, "old executable");
  await chmod(exe, 0o755);
  const s: Setup = {
    dir,
    exe,
    stateDir,
    restarts: 0,
    fetched: [],
    upgrader: (overrides = {}) =>
      new SelfUpgrader({
        executable: exe,
        stateDir,
        server: "https://cp.example.test",
        currentVersion: "1.0.0",
        logger: silentLogger,
        restart: () => {
          s.restarts++;
        },
        probeVersion: async (file) => ((await readFile(file)).equals(NEW_BYTES) ? "9.9.9" : "garbage"),
        fetch: async (url) => {
          s.fetched.push(String(url));
          return new Response(NEW_BYTES);
        },
        ...overrides,
      }),
  };
  return s;
}

const leftovers = async (s: Setup) => (await readdir(path.dirname(s.exe))).sort();

describe("SelfUpgrader.install", () => {
  it("downloads from its own server, verifies, keeps the previous executable and swaps with a rename", async () => {
    const s = await setup();
    const report = await s.upgrader().install(["9.9.9", NEW_SHA, PLATFORM]);
    expect(report).toMatchObject({ status: "swapped", from_version: "1.0.0", to_version: "9.9.9" });
    expect(report.rollback_deadline).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(s.fetched).toEqual([`https://cp.example.test/agent/v1/download/${PLATFORM}?version=9.9.9`]);
    expect(await readFile(s.exe)).toEqual(NEW_BYTES);
    expect(await readFile(`${s.exe}.previous`, "utf8")).toBe("old executable");
    expect(await leftovers(s)).toEqual(["fleetgate-agent", "fleetgate-agent.previous"]);
    const marker = JSON.parse(await readFile(path.join(s.stateDir, "upgrade.json"), "utf8"));
    expect(marker).toMatchObject({ from_version: "1.0.0", to_version: "9.9.9", starts: 0 });
  });

  it("refuses a download whose sha256 differs and leaves everything as it was", async () => {
    const s = await setup();
    const wrong = "0".repeat(64);
    await expect(s.upgrader().install(["9.9.9", wrong, PLATFORM])).rejects.toThrow(/sha256 mismatch/);
    expect(await readFile(s.exe, "utf8")).toBe("old executable");
    expect(await leftovers(s)).toEqual(["fleetgate-agent"]);
    expect(await readdir(s.stateDir)).toEqual([]);
  });

  it("refuses an executable that does not report the target version (pre-flight run)", async () => {
    const s = await setup();
    const other = Buffer.from("something else");
    const sha = createHash("sha256").update(other).digest("hex");
    const upgrader = s.upgrader({ fetch: async () => new Response(other) });
    await expect(upgrader.install(["9.9.9", sha, PLATFORM])).rejects.toThrow(/reports version "garbage"/);
    expect(await readFile(s.exe, "utf8")).toBe("old executable");
    expect(await leftovers(s)).toEqual(["fleetgate-agent"]);
  });

  it("refuses bad arguments, another platform, and a failed download", async () => {
    const s = await setup();
    const other = PLATFORM === "linux-x64" ? "linux-arm64" : "linux-x64";
    await expect(s.upgrader().install(["9.9", NEW_SHA, PLATFORM])).rejects.toThrow(UpgradeError);
    await expect(s.upgrader().install(["9.9.9", NEW_SHA.toUpperCase(), PLATFORM])).rejects.toThrow(UpgradeError);
    await expect(s.upgrader().install(["9.9.9", NEW_SHA, other])).rejects.toThrow(/this host is/);
    const notFound = s.upgrader({ fetch: async () => new Response("no", { status: 404 }) });
    await expect(notFound.install(["9.9.9", NEW_SHA, PLATFORM])).rejects.toThrow(/HTTP 404/);
    expect(await leftovers(s)).toEqual(["fleetgate-agent"]);
  });

  it("does nothing when already at the target version", async () => {
    const s = await setup();
    const report = await s.upgrader({ currentVersion: "9.9.9" }).install(["9.9.9", NEW_SHA, PLATFORM]);
    expect(report.status).toBe("already_current");
    expect(s.fetched).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)("fails cleanly when the executable's directory is read-only", async () => {
    const s = await setup();
    await chmod(path.dirname(s.exe), 0o555);
    try {
      await expect(s.upgrader().install(["9.9.9", NEW_SHA, PLATFORM])).rejects.toThrow(/not writable/);
    } finally {
      await chmod(path.dirname(s.exe), 0o755);
    }
  });
});

describe("SelfUpgrader probation and rollback", () => {
  it("confirms the new version once it connects: marker and previous executable removed", async () => {
    const s = await setup();
    await s.upgrader().install(["9.9.9", NEW_SHA, PLATFORM]);
    const started = s.upgrader({ currentVersion: "9.9.9" });
    expect(await started.onStart()).toBe(false);
    await started.onConnected();
    started.stop();
    expect(await leftovers(s)).toEqual(["fleetgate-agent"]);
    expect(await readdir(s.stateDir)).toEqual([]);
    expect(await readFile(s.exe)).toEqual(NEW_BYTES);
    expect(s.restarts).toBe(0);
  });

  it("goes back to the previous executable when the new one does not connect within the bound", async () => {
    const s = await setup();
    await s.upgrader({ probationMs: 50 }).install(["9.9.9", NEW_SHA, PLATFORM]);
    const started = s.upgrader({ currentVersion: "9.9.9" });
    expect(await started.onStart()).toBe(false);
    await waitFor(() => s.restarts === 1, "restart after the rollback");
    expect(await readFile(s.exe, "utf8")).toBe("old executable");
    // The previous version starts again: it clears the marker and runs normally.
    const old = s.upgrader();
    expect(await old.onStart()).toBe(false);
    expect(await readdir(s.stateDir)).toEqual([]);
    expect(await leftovers(s)).toEqual(["fleetgate-agent"]);
  });

  it("rolls back at start-up when the deadline passed or the new version keeps failing to start", async () => {
    const s = await setup();
    let now = 1_000_000;
    await s.upgrader({ now: () => now }).install(["9.9.9", NEW_SHA, PLATFORM]);
    now += 10 * 60_000;
    expect(await s.upgrader({ currentVersion: "9.9.9", now: () => now }).onStart()).toBe(true);
    expect(await readFile(s.exe, "utf8")).toBe("old executable");

    const t = await setup();
    await t.upgrader().install(["9.9.9", NEW_SHA, PLATFORM]);
    for (let i = 0; i < 3; i++) {
      const u = t.upgrader({ currentVersion: "9.9.9" });
      expect(await u.onStart()).toBe(false); // crashed before connecting
      u.stop();
    }
    expect(await t.upgrader({ currentVersion: "9.9.9" }).onStart()).toBe(true);
    expect(await readFile(t.exe, "utf8")).toBe("old executable");
    expect(t.restarts).toBe(0); // at start-up the caller exits instead
  });
});

describe("the self-upgrade built-in in the agent", () => {
  let server: FakeServer;
  const agents: Agent[] = [];
  beforeEach(async () => {
    server = await FakeServer.start();
  });
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop();
    await server.close();
  });

  it("waits for a running command, reports the swap, then stops and restarts", async () => {
    const { config, dir } = await enrolledConfig(server);
    const s = await setup();
    let restarted = 0;
    const upgrader = s.upgrader();
    const agent = await Agent.start({
      config,
      logger: silentLogger,
      backoffBaseMs: 20,
      backoffCapMs: 200,
      killGraceMs: 200,
      hostInfo: TEST_HOST,
      selfUpgrade: upgrader,
      onRestart: () => {
        restarted++;
      },
    });
    agents.push(agent);
    await server.waitForAgent();
    const base = { timeout_seconds: 60, expires_at: Date.now() + 60_000 };
    const marker = path.join(dir, "slow.txt");
    server.send({
      type: "run",
      command_id: "slow-1",
      reqid: "0001abcdef012345",
      script: "slowcounter",
      args: [marker],
      ...base,
    });
    await waitFor(() => existsSync(`${marker}.pid`), "the slow command");
    server.send({
      type: "run",
      command_id: "upgrade-1",
      reqid: "0002abcdef012345",
      script: SELF_UPGRADE_COMMAND,
      args: ["9.9.9", NEW_SHA, PLATFORM],
      ...base,
    });
    await server.waitForFrame("ack", (a) => a.command_id === "upgrade-1", "upgrade ack");
    // A command arriving while the upgrade waits is not taken (no ack; the server redelivers it later).
    server.send({
      type: "run",
      command_id: "late-1",
      reqid: "0003abcdef012345",
      script: "echoargs",
      args: [],
      ...base,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.fetched).toEqual([]);
    expect(await readFile(s.exe, "utf8")).toBe("old executable");
    server.send({ type: "cancel", command_id: "slow-1" });
    const result = await server.waitForFrame("result", (r) => r.command_id === "upgrade-1", "upgrade result");
    expect(result.exit_code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "swapped", from_version: "1.0.0", to_version: "9.9.9" });
    expect(await readFile(s.exe)).toEqual(NEW_BYTES);
    await waitFor(() => restarted === 1, "restart");
    expect(server.framesOf("ack").some((a) => a.command_id === "late-1")).toBe(false);
  });
});
