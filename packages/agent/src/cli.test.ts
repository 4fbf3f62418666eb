import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "./exit-codes";
import { main } from "./main";
import { FakeServer, waitFor } from "./test-support/fake-server";
import { cleanupTempDirs, enrolledConfig, tempDir } from "./test-support/fixtures";

let server: FakeServer;
beforeEach(async () => {
  server = await FakeServer.start();
});
afterEach(async () => {
  await server.close();
});
afterAll(cleanupTempDirs);

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

async function configFile(document: Record<string, unknown>, name = "agent.json"): Promise<string> {
  const file = path.join(await tempDir(), name);
  await writeFile(file, JSON.stringify(document));
  return file;
}

describe("fleetgate-agent CLI", { timeout: 30_000 }, () => {
  it("exits 2 on a bad config, naming the problem on stderr", async () => {
    const file = await configFile({ server: server.url, scripts: { deploy: "deploy.sh" } });
    const { code, stdout, stderr } = await cli("status", "--config", file);
    expect(code).toBe(EXIT.usage);
    expect(stdout).toBe("");
    expect(stderr).toContain("scripts.deploy: must be an absolute path");
  });

  it("exits 2 without a command, with an unknown command or option, and without --config", async () => {
    expect((await cli()).code).toBe(EXIT.usage);
    expect((await cli("frobnicate", "--config", "x.yaml")).code).toBe(EXIT.usage);
    expect((await cli("status", "--bogus")).code).toBe(EXIT.usage);
    expect((await cli("status")).stderr).toContain("--config <file> is required");
  });

  it("accepts the `--` that `pnpm agent -- ...` passes through", async () => {
    expect(await cli("--", "--version")).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });

  it("status --json: not enrolled → exit 3, server reachability reported", async () => {
    const dir = await tempDir();
    const file = await configFile({ server: server.url, state_dir: path.join(dir, "state") });
    const { code, stdout } = await cli("status", "--json", "--config", file);
    expect(code).toBe(EXIT.notEnrolled);
    expect(JSON.parse(stdout)).toMatchObject({
      enrolled: false,
      certificate: null,
      server_reachable: { ok: true, status: 200, error: null },
    });
  });

  it("enroll --token then status --json: enrolled, certificate subject, expiry and fingerprint, no key material", async () => {
    const dir = await tempDir();
    const file = await configFile({ server: server.url, state_dir: path.join(dir, "state") });
    const token = await server.ottToken("identity-7");
    const enrolled = await cli("enroll", "--json", "--config", file, "--token", token);
    expect(enrolled.code).toBe(0);
    expect(JSON.parse(enrolled.stdout)).toMatchObject({ enrolled: true, method: "ott", identity_id: "identity-7" });
    const { code, stdout } = await cli("status", "--json", "--config", file);
    expect(code).toBe(EXIT.ok);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      enrolled: true,
      identity: { identity_id: "identity-7", method: "ott" },
      certificate: {
        subject: "CN=identity-7",
        expired: false,
        fingerprint_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      server_reachable: { ok: true },
    });
    expect(stdout).not.toContain("PRIVATE KEY");
    expect((await cli("status", "--config", file)).stdout).toContain("enrolled:           yes");
  });

  it("status exits 5 when the server is unreachable", async () => {
    const { config } = await enrolledConfig(server);
    const file = await configFile({ server: server.url, state_dir: config.stateDir });
    await server.stop();
    const { code, stdout } = await cli("status", "--json", "--config", file);
    expect(code).toBe(EXIT.unavailable);
    expect(JSON.parse(stdout).server_reachable.ok).toBe(false);
  });

  it("enroll refuses --token together with --request, and neither", async () => {
    const file = await configFile({ server: server.url, state_dir: path.join(await tempDir(), "s") });
    expect((await cli("enroll", "--config", file, "--token", "x", "--request")).code).toBe(EXIT.usage);
    expect((await cli("enroll", "--config", file)).code).toBe(EXIT.usage);
  });

  it("run exits 3 when the host is not enrolled", async () => {
    const file = await configFile({ server: server.url, state_dir: path.join(await tempDir(), "s") });
    const { code, stderr } = await cli("run", "--config", file);
    expect(code).toBe(EXIT.notEnrolled);
    expect(stderr).toContain("not enrolled");
  });
});

describe("fleetgate-agent run as a process", { timeout: 60_000 }, () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  });

  function startProcess(config: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    const packageDir = path.resolve(import.meta.dirname, "..");
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "run", "--config", config], {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FLEETGATE_LOG_LEVEL: "info" },
    });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, output: () => out, exited };
  }

  it("after a crash mid-command, reports it interrupted and never runs it again; exits 0 on SIGTERM", async () => {
    const { config, dir, scripts } = await enrolledConfig(server);
    const file = await configFile({ server: server.url, state_dir: config.stateDir, scripts });
    const marker = path.join(dir, "runs");
    const run = {
      type: "run" as const,
      command_id: "crash-1",
      reqid: "00112233445566ff",
      script: "slowcounter",
      args: [marker],
      timeout_seconds: 60,
      expires_at: Date.now() + 60_000,
    };

    const first = startProcess(file);
    await server.waitForAgent();
    server.send(run);
    await waitFor(() => existsSync(`${marker}.pid`) && readFileSync(`${marker}.pid`, "utf8").trim(), "script started");
    first.child.kill("SIGKILL");
    await first.exited;
    // The script lives in its own process group; the crashed agent left it behind.
    const pid = Number(readFileSync(`${marker}.pid`, "utf8").trim());
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }

    const connections = server.connections;
    const second = startProcess(file);
    const hello = await server.waitForFrame("hello", (h) => h.completed.includes("crash-1"));
    expect(hello.completed).toEqual(["crash-1"]);
    expect(await server.waitForFrame("result", (r) => r.command_id === "crash-1")).toMatchObject({
      error: "interrupted",
      exit_code: null,
    });
    expect(server.connections).toBeGreaterThan(connections);
    server.send(run);
    await server.waitForFrame("ack", (a) => a.command_id === "crash-1" && a.duplicate);
    expect(readFileSync(marker, "utf8")).toBe("ran\n");

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    const lines = second
      .output()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["agent started", "connected", "stopping"]));
  });
});
