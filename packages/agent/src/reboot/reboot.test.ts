import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { REBOOT_COMMAND, RebootReport, type ServerMessage } from "@fleetgate/contract/agent";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Agent } from "../agent";
import type { AgentConfig } from "../config";
import { createLogger, type Logger } from "../log";
import { FakeServer, waitFor } from "../test-support/fake-server";
import { cleanupTempDirs, enrolledConfig, TEST_HOST, writeScript } from "../test-support/fixtures";

/**
 * Reboots on the agent with an injected reboot command (a script that records the call) and a
 * faked boot id file: the agent tells the server before it reboots, reboots only once the server
 * confirmed, and reports the command after it came back — succeeded only with a new boot id.
 */
let server: FakeServer;
const agents: Agent[] = [];
let logger: Logger;

beforeEach(async () => {
  server = await FakeServer.start();
  logger = createLogger({ level: "error", write: () => {} });
});
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop();
  await server.close();
});
afterAll(cleanupTempDirs);

async function startAgent(config: AgentConfig): Promise<Agent> {
  const agent = await Agent.start({
    config,
    logger,
    backoffBaseMs: 20,
    backoffCapMs: 200,
    killGraceMs: 200,
    hostInfo: TEST_HOST,
  });
  agents.push(agent);
  return agent;
}

async function stopAgent(agent: Agent): Promise<void> {
  await agent.stop();
  agents.splice(agents.indexOf(agent), 1);
}

let counter = 0;
function run(script: string, args: string[], timeoutSeconds = 30): Extract<ServerMessage, { type: "run" }> {
  counter++;
  return {
    type: "run",
    command_id: `reboot-${counter}-${Date.now()}`,
    reqid: `${counter.toString(16).padStart(4, "0")}abcdef01`,
    script,
    args,
    timeout_seconds: timeoutSeconds,
    expires_at: Date.now() + 60_000,
  };
}

/** An enrolled agent whose reboot command appends a line to `calls` and whose boot id is read from `bootId`. */
async function rebootingAgent(enabled = true) {
  const { config, dir } = await enrolledConfig(server);
  const calls = path.join(dir, "reboot-calls");
  const bootId = path.join(dir, "boot_id");
  await writeFile(bootId, "11111111-1111-4111-8111-111111111111\n");
  const rebootScript = await writeScript(dir, "fake-reboot.sh", `echo "reboot $*" >> "${calls}"`);
  const withReboot: AgentConfig = {
    ...config,
    reboot: { enabled, command: [rebootScript, "now"], bootIdFile: bootId },
  };
  return { config: withReboot, calls, bootId, dir };
}

const callsOf = async (file: string) =>
  existsSync(file) ? (await readFile(file, "utf8")).split("\n").filter(Boolean) : [];

describe("agent reboot", { timeout: 30_000 }, () => {
  it("reboots only after the server confirmed the rebooting state, and reports the new boot id after the boot", async () => {
    const { config, calls, bootId } = await rebootingAgent();
    const agent = await startAgent(config);
    await server.waitForAgent();
    const hello = await server.waitForFrame("hello", () => true, "hello");
    expect(hello.boot).toMatchObject({ boot_id: "11111111-1111-4111-8111-111111111111" });
    expect(hello.boot?.kernel).toBeTruthy();

    const frame = run(REBOOT_COMMAND, ["job-1"]);
    server.send(frame);
    const rebooting = await server.waitForFrame("rebooting", (f) => f.command_id === frame.command_id, "rebooting");
    expect(rebooting.boot_id).toBe("11111111-1111-4111-8111-111111111111");
    // Not before the server stored the state.
    await new Promise((r) => setTimeout(r, 200));
    expect(await callsOf(calls)).toEqual([]);
    const pending = JSON.parse(await readFile(path.join(config.stateDir, "reboot-pending.json"), "utf8"));
    expect(pending).toMatchObject({ command_id: frame.command_id, boot_id_before: rebooting.boot_id });

    server.send({ type: "reboot_confirmed", command_id: frame.command_id, confirmed: true });
    await waitFor(() => existsSync(calls), "reboot call recorded");
    expect(await callsOf(calls)).toEqual(["reboot now"]);

    // The shutdown stops the agent: no result yet, the command stays open on disk.
    await stopAgent(agent);
    expect(server.framesOf("result").filter((r) => r.command_id === frame.command_id)).toEqual([]);

    // The host comes back with another boot id.
    await writeFile(bootId, "22222222-2222-4222-8222-222222222222\n");
    const connections = server.connections;
    await startAgent(config);
    await server.waitForAgent(connections + 1);
    const result = await server.waitForFrame("result", (r) => r.command_id === frame.command_id, "result");
    expect(result.exit_code).toBe(0);
    expect(result.error).toBeNull();
    const report = RebootReport.parse(JSON.parse(result.stdout));
    expect(report.ok).toBe(true);
    expect(report.reboot).toMatchObject({
      rebooted: true,
      boot_id_before: "11111111-1111-4111-8111-111111111111",
      boot_id: "22222222-2222-4222-8222-222222222222",
    });
    const hellos = server.framesOf("hello");
    expect(hellos.at(-1)?.boot?.boot_id).toBe("22222222-2222-4222-8222-222222222222");
    expect(existsSync(path.join(config.stateDir, "reboot-pending.json"))).toBe(false);
    expect(await callsOf(calls)).toEqual(["reboot now"]);
  });

  it("fails the command when the agent comes back with the same boot id", async () => {
    const { config } = await rebootingAgent();
    const agent = await startAgent(config);
    await server.waitForAgent();
    const frame = run(REBOOT_COMMAND, ["job-2"]);
    server.send(frame);
    await server.waitForFrame("rebooting", (f) => f.command_id === frame.command_id, "rebooting");
    server.send({ type: "reboot_confirmed", command_id: frame.command_id, confirmed: true });
    await waitFor(() => existsSync(path.join(config.stateDir, "reboot-pending.json")), "pending");
    await new Promise((r) => setTimeout(r, 300));
    await stopAgent(agent);
    const connections = server.connections;
    await startAgent(config);
    await server.waitForAgent(connections + 1);
    const result = await server.waitForFrame("result", (r) => r.command_id === frame.command_id, "result");
    expect(result.exit_code).toBe(1);
    expect(result.error).toBe("the host did not reboot (the boot id is unchanged)");
    expect(RebootReport.parse(JSON.parse(result.stdout)).reboot?.rebooted).toBe(false);
  });

  it("does not reboot when the server refuses the rebooting state, or when rebooting is not enabled", async () => {
    const { config, calls } = await rebootingAgent();
    await startAgent(config);
    await server.waitForAgent();
    const frame = run(REBOOT_COMMAND, ["job-3"]);
    server.send(frame);
    await server.waitForFrame("rebooting", (f) => f.command_id === frame.command_id, "rebooting");
    server.send({ type: "reboot_confirmed", command_id: frame.command_id, confirmed: false });
    const result = await server.waitForFrame("result", (r) => r.command_id === frame.command_id, "result");
    expect(result.exit_code).toBe(1);
    expect(result.stderr).toContain("did not accept the host's rebooting state");
    expect(await callsOf(calls)).toEqual([]);
    expect(existsSync(path.join(config.stateDir, "reboot-pending.json"))).toBe(false);

    // The agent takes commands again afterwards.
    const next = run(REBOOT_COMMAND, ["job-3b"]);
    server.send(next);
    await server.waitForFrame("rebooting", (f) => f.command_id === next.command_id, "second rebooting");
  });

  it("refuses with the reason when rebooting is not enabled in the config", async () => {
    const { config, calls } = await rebootingAgent(false);
    await startAgent(config);
    await server.waitForAgent();
    const frame = run(REBOOT_COMMAND, ["job-4"]);
    server.send(frame);
    const result = await server.waitForFrame("result", (r) => r.command_id === frame.command_id, "result");
    expect(result.exit_code).toBe(1);
    expect(result.stderr).toBe("rebooting is not enabled in this agent's config (reboot.enabled)");
    expect(server.framesOf("rebooting")).toEqual([]);
    expect(await callsOf(calls)).toEqual([]);
  });

  it("never reboots in the middle of another command: it waits until that one ended", async () => {
    const { config, dir } = await rebootingAgent();
    const short = await writeScript(dir, "short.sh", "sleep 1\necho done");
    const withShort: AgentConfig = {
      ...config,
      scripts: new Map([...config.scripts, ["short", { name: "short", path: short, description: "", args: [] }]]),
    };
    await startAgent(withShort);
    await server.waitForAgent();
    const busy = run("short", []);
    server.send(busy);
    await server.waitForFrame("ack", (a) => a.command_id === busy.command_id, "ack of the running command");
    const frame = run(REBOOT_COMMAND, ["job-5"]);
    server.send(frame);
    const rebooting = await server.waitForFrame("rebooting", (f) => f.command_id === frame.command_id, "rebooting");
    const order = server.received.map((r) => r.frame);
    const resultAt = order.findIndex((f) => f.type === "result" && f.command_id === busy.command_id);
    const rebootingAt = order.indexOf(rebooting);
    expect(resultAt).toBeGreaterThanOrEqual(0);
    expect(resultAt).toBeLessThan(rebootingAt);
  });
});
