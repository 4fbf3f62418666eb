import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ServerMessage } from "@fleetgate/contract/agent";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Agent } from "./agent";
import type { AgentConfig } from "./config";
import { createLogger, type Logger } from "./log";
import { FakeServer, waitFor } from "./test-support/fake-server";
import { cleanupTempDirs, enrolledConfig, TEST_HOST, writeScript } from "./test-support/fixtures";

let server: FakeServer;
const agents: Agent[] = [];
let logLines: string[] = [];
let logger: Logger;

beforeEach(async () => {
  server = await FakeServer.start();
  logLines = [];
  logger = createLogger({ level: "debug", write: (line) => logLines.push(line) });
});
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.stop();
  await server.close();
});
afterAll(cleanupTempDirs);

async function startAgent(config: AgentConfig, ackAfterMs?: number): Promise<Agent> {
  const agent = await Agent.start({
    config,
    logger,
    backoffBaseMs: 20,
    backoffCapMs: 200,
    killGraceMs: 200,
    hostInfo: TEST_HOST,
    ...(ackAfterMs !== undefined ? { ackAfterMs } : {}),
  });
  agents.push(agent);
  return agent;
}

let counter = 0;
function run(script: string, args: string[] = [], overrides: Partial<Extract<ServerMessage, { type: "run" }>> = {}) {
  counter++;
  return {
    type: "run" as const,
    command_id: `cmd-${counter}-${Date.now()}`,
    reqid: `${counter.toString(16).padStart(4, "0")}abcdef012345`,
    script,
    args,
    timeout_seconds: 30,
    expires_at: Date.now() + 60_000,
    ...overrides,
  };
}

const resultFor = (id: string) => server.waitForFrame("result", (r) => r.command_id === id, `result of ${id}`);
const lines = async (file: string) => (await readFile(file, "utf8")).split("\n").filter(Boolean);

describe("agent run", { timeout: 30_000 }, () => {
  it("refuses a script that is not in its own allowlist", async () => {
    const { config } = await enrolledConfig(server);
    await startAgent(config);
    await server.waitForAgent();
    const frame = run("notlisted", ["x"]);
    server.send(frame);
    const result = await resultFor(frame.command_id);
    expect(result).toMatchObject({
      exit_code: null,
      error: "not_allowlisted",
      stdout: "",
      stderr: "",
      started_at: null,
    });
    // Answered by the result alone: the result implies the ack.
    expect(server.framesOf("ack").filter((a) => a.command_id === frame.command_id)).toEqual([]);
  });

  it("answers a command that ends before its ack is due by the result alone", async () => {
    const { config } = await enrolledConfig(server);
    await startAgent(config, 60_000);
    await server.waitForAgent();
    const frame = run("quiet", ["0"]);
    server.send(frame);
    expect(await resultFor(frame.command_id)).toMatchObject({ exit_code: 0, error: null });
    expect(server.framesOf("ack").filter((a) => a.command_id === frame.command_id)).toEqual([]);
  });

  it("acknowledges a command still running when its ack is due, before the result", async () => {
    const { config } = await enrolledConfig(server);
    await startAgent(config, 50);
    await server.waitForAgent();
    const frame = run("quiet", ["1"]);
    server.send(frame);
    await resultFor(frame.command_id);
    const about = server.received
      .map((r) => r.frame)
      .filter((f) => "command_id" in f && f.command_id === frame.command_id)
      .map((f) => f.type);
    expect(about).toEqual(["ack", "result"]);
  });

  it("sends the deferred ack before the first output of a command", async () => {
    const { config } = await enrolledConfig(server);
    await startAgent(config, 60_000);
    await server.waitForAgent();
    const frame = run("sleeper");
    server.send(frame);
    await server.waitForFrame("output", (o) => o.command_id === frame.command_id);
    const about = server.received
      .map((r) => r.frame)
      .filter((f) => "command_id" in f && f.command_id === frame.command_id);
    expect(about.map((f) => f.type)).toEqual(["ack", "output"]);
    expect(server.framesOf("ack").find((a) => a.command_id === frame.command_id)?.duplicate).toBe(false);
  });

  it("refuses a command whose expires_at has passed, without running it", async () => {
    const { config, dir } = await enrolledConfig(server);
    await startAgent(config);
    await server.waitForAgent();
    const marker = path.join(dir, "expired-ran");
    const frame = run("counter", [marker], { expires_at: Date.now() - 1 });
    server.send(frame);
    expect(await resultFor(frame.command_id)).toMatchObject({ exit_code: null, error: "expired", started_at: null });
    await expect(readFile(marker, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("delivers argv with shell metacharacters literally, and streams what it returns", async () => {
    const { config } = await enrolledConfig(server);
    await startAgent(config);
    await server.waitForAgent();
    const args = ["; rm -rf /", "$(id)", "`id`", "\"dq\" 'sq'", "$HOME", "a\nb"];
    const frame = run("echoargs", args);
    server.send(frame);
    const result = await resultFor(frame.command_id);
    expect(result.exit_code).toBe(0);
    expect(result.stdout).toBe(args.map((a) => `[${a}]\n`).join(""));
    const streamed = server
      .framesOf("output")
      .filter((o) => o.command_id === frame.command_id && o.stream === "stdout")
      .sort((a, b) => a.seq - b.seq)
      .map((o) => o.data)
      .join("");
    expect(streamed).toBe(result.stdout);
  });

  it("never runs the same command id twice, and re-sends the stored result to a duplicate", async () => {
    const { config, dir } = await enrolledConfig(server);
    await startAgent(config);
    await server.waitForAgent();
    const marker = path.join(dir, "runs");
    const frame = run("counter", [marker]);
    server.send(frame);
    server.send(frame); // delivered twice while it is starting
    const first = await resultFor(frame.command_id);
    server.send(frame); // and again after it finished
    await waitFor(
      () => server.framesOf("result").filter((r) => r.command_id === frame.command_id).length >= 2,
      "re-sent result",
    );
    const acks = server.framesOf("ack").filter((a) => a.command_id === frame.command_id);
    expect(acks.map((a) => a.duplicate)).toEqual([false, true, true]);
    const results = server.framesOf("result").filter((r) => r.command_id === frame.command_id);
    expect(results.every((r) => JSON.stringify(r) === JSON.stringify(first))).toBe(true);
    expect(await lines(marker)).toEqual(["ran"]);
  });

  it("never runs a command id again after the agent restarts with the same state dir", async () => {
    const { config, dir } = await enrolledConfig(server);
    const marker = path.join(dir, "runs");
    const agent = await startAgent(config);
    await server.waitForAgent();
    const frame = run("counter", [marker]);
    server.send(frame);
    const first = await resultFor(frame.command_id);
    await agent.stop();
    const connections = server.connections;
    await startAgent(config);
    await server.waitForAgent(connections + 1);
    const seen = server.received.length;
    server.send(frame);
    const resent = await waitFor(
      () =>
        server.received.slice(seen).find((r) => r.frame.type === "result" && r.frame.command_id === frame.command_id),
      "re-sent result",
    );
    expect(
      server
        .framesOf("ack")
        .filter((a) => a.command_id === frame.command_id)
        .map((a) => a.duplicate),
    ).toEqual([false, true]);
    expect(resent.frame).toEqual(first);
    expect(server.framesOf("result").filter((r) => r.command_id === frame.command_id)).toHaveLength(2);
    expect(await lines(marker)).toEqual(["ran"]);
  });

  it("cancels a running command", async () => {
    const { config } = await enrolledConfig(server);
    await startAgent(config);
    await server.waitForAgent();
    const frame = run("sleeper");
    server.send(frame);
    await server.waitForFrame("output", (o) => o.command_id === frame.command_id);
    server.send({ type: "cancel", command_id: frame.command_id });
    expect(await resultFor(frame.command_id)).toMatchObject({
      error: "cancelled",
      exit_code: null,
      stdout: "started\n",
    });
  });

  it("caps the timeout at max_timeout_seconds and kills the command", async () => {
    const { config } = await enrolledConfig(server, { extra: { max_timeout_seconds: 1, default_timeout_seconds: 1 } });
    await startAgent(config);
    await server.waitForAgent();
    const frame = run("sleeper", [], { timeout_seconds: 3600 });
    server.send(frame);
    expect(await resultFor(frame.command_id)).toMatchObject({ error: "timed_out", exit_code: null });
  });

  it("caps the output in the result and marks it truncated", async () => {
    const { config } = await enrolledConfig(server, { extra: { output_cap_bytes: 100_000 } });
    await startAgent(config);
    await server.waitForAgent();
    const frame = run("flood");
    server.send(frame);
    const result = await resultFor(frame.command_id);
    expect(result.truncated).toBe(true);
    expect(result.stdout).toHaveLength(100_000);
    expect(result.exit_code).toBe(0);
  });

  it("answers ping with pong and ignores frames that break the protocol", async () => {
    const { config } = await enrolledConfig(server);
    await startAgent(config);
    await server.waitForAgent();
    server.sendRaw("not json");
    server.sendRaw(JSON.stringify({ type: "run", command_id: "x" }));
    server.sendRaw(JSON.stringify({ type: "reboot" }));
    server.send({ type: "ping", nonce: "n-1" });
    expect(await server.waitForFrame("pong", (p) => p.nonce === "n-1")).toMatchObject({ version: "0.1.0" });
    expect(server.framesOf("result")).toEqual([]);
  });

  it("says hello with host facts, tags, and each script's path, executability and sha256", async () => {
    const { config, scripts } = await enrolledConfig(server);
    await startAgent(config);
    await server.waitForAgent();
    const [hello] = server.framesOf("hello");
    expect(hello).toMatchObject({
      protocol: 1,
      agent_version: "0.1.0",
      hostname: "test-host",
      os: { family: "debian", name: TEST_HOST.os.name, version: "12", arch: "x86_64" },
      tags: { env: "test" },
      completed: [],
    });
    const echo = hello?.scripts.find((s) => s.name === "echoargs");
    const sha = createHash("sha256")
      .update(await readFile(scripts.echoargs ?? ""))
      .digest("hex");
    expect(echo).toEqual({ name: "echoargs", path: scripts.echoargs, description: "", executable: true, sha256: sha });
    expect(hello?.scripts.find((s) => s.name === "noexec")?.executable).toBe(false);
    // The welcome's host id and name are recorded in identity.json.
    await waitFor(
      () => readFileSync(path.join(config.stateDir, "identity.json"), "utf8").includes("host-identity-1"),
      "identity update",
    );
    expect(JSON.parse(readFileSync(path.join(config.stateDir, "identity.json"), "utf8"))).toMatchObject({
      identity_id: "identity-1",
      host_id: "host-identity-1",
      host_name: "identity-1",
    });
  });

  it("reconnects with a fresh proof after the server restarts", async () => {
    const { config } = await enrolledConfig(server);
    await startAgent(config);
    await server.waitForAgent();
    await server.restart();
    await server.waitForAgent(2);
    expect(server.seenJti.size).toBeGreaterThanOrEqual(2);
    expect(server.refusals).toEqual([]);
    const frame = run("echoargs", ["after-restart"]);
    server.send(frame);
    expect((await resultFor(frame.command_id)).stdout).toBe("[after-restart]\n");
  });

  it("keeps a result that finished while disconnected and sends it after reconnecting", async () => {
    const { config, dir } = await enrolledConfig(server);
    const script = await writeScript(dir, "short.sh", "sleep 1\necho finished");
    config.scripts.set("short", { name: "short", path: script, description: "", args: [] });
    await startAgent(config);
    await server.waitForAgent();
    const frame = run("short");
    server.send(frame);
    await server.waitForFrame("ack", (a) => a.command_id === frame.command_id);
    await server.stop();
    const commandsFile = path.join(config.stateDir, "commands.json");
    await waitFor(() => readFileSync(commandsFile, "utf8").includes('"state":"done"'), "result recorded while offline");
    await server.resume();
    const hello = await server.waitForFrame("hello", (h) => h.completed.includes(frame.command_id));
    expect(hello.completed).toEqual([frame.command_id]);
    expect((await resultFor(frame.command_id)).stdout).toBe("finished\n");
  });

  it("drops a connection that stops answering pings and reconnects", async () => {
    const { config } = await enrolledConfig(server);
    const agent = await Agent.start({
      config,
      logger,
      backoffBaseMs: 20,
      backoffCapMs: 200,
      heartbeatMs: 100,
      hostInfo: TEST_HOST,
    });
    agents.push(agent);
    await server.waitForAgent();
    server.freeze();
    await server.waitForAgent(2);
    expect(logLines.some((l) => l.includes("no answer to ping"))).toBe(true);
  });

  it("keeps retrying when the server refuses its certificate, and connects once it is accepted", async () => {
    const { config } = await enrolledConfig(server);
    server.refuseAllWith = 403;
    await startAgent(config);
    await waitFor(() => server.refusals.length >= 2, "two refused attempts");
    server.refuseAllWith = null;
    await server.waitForAgent();
    expect(logLines.some((l) => l.includes("the server refused this host's credentials"))).toBe(true);
  });

  it("logs JSON lines with REQID for correlation and never key material or proofs", async () => {
    const { config } = await enrolledConfig(server);
    await startAgent(config);
    await server.waitForAgent();
    const frame = run("echoargs", ["x"]);
    server.send(frame);
    await resultFor(frame.command_id);
    const parsed = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      parsed.every((p) => typeof p.time === "string" && typeof p.level === "string" && typeof p.msg === "string"),
    ).toBe(true);
    const finished = parsed.find((p) => String(p.msg).startsWith(`REQID=${frame.reqid} finished`));
    expect(finished).toMatchObject({ command_id: frame.command_id, reqid: frame.reqid, exit_code: 0 });
    const all = logLines.join("\n");
    expect(all).not.toContain("PRIVATE KEY");
    expect(all).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});

describe("agent stop", { timeout: 30_000 }, () => {
  it("reports commands still running at shutdown as interrupted", async () => {
    const { config } = await enrolledConfig(server);
    const agent = await startAgent(config);
    await server.waitForAgent();
    const frame = run("sleeper");
    server.send(frame);
    await server.waitForFrame("output", (o) => o.command_id === frame.command_id);
    await agent.stop();
    expect(await resultFor(frame.command_id)).toMatchObject({ error: "interrupted", exit_code: null });
  });

  it("writes the state file with the results before exiting", async () => {
    const { config } = await enrolledConfig(server);
    const agent = await startAgent(config);
    await server.waitForAgent();
    const frame = run("echoargs", ["x"]);
    server.send(frame);
    await resultFor(frame.command_id);
    await agent.stop();
    const stored = JSON.parse(await readFile(path.join(config.stateDir, "commands.json"), "utf8"));
    expect(stored.commands).toEqual([
      expect.objectContaining({ command_id: frame.command_id, state: "done", delivered: true }),
    ]);
  });
});
