import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AgentConfig, parseConfig } from "../config";
import { enrollWithToken } from "../enroll";
import type { HostInfo } from "../host-info";
import { silentLogger } from "../log";
import type { FakeServer } from "./fake-server";

const dirs: string[] = [];

/** A fresh temporary directory, removed by `cleanupTempDirs`. */
export async function tempDir(prefix = "fleetgate-agent-"): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export async function cleanupTempDirs(): Promise<void> {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** Writes an executable shell script and returns its absolute path. */
export async function writeScript(dir: string, name: string, body: string, mode = 0o755): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, mode);
  return file;
}

/** Test scripts: each prints or does one thing the tests check. */
export async function writeTestScripts(dir: string): Promise<Record<string, string>> {
  return {
    // One line per argument, bracketed, so the exact argv is visible.
    echoargs: await writeScript(dir, "echo-args.sh", `for a in "$@"; do printf '[%s]\\n' "$a"; done`),
    sleeper: await writeScript(dir, "sleeper.sh", `echo started\nsleep 30\necho never`),
    stubborn: await writeScript(dir, "stubborn.sh", `trap '' TERM\necho started\nwhile :; do sleep 1; done`),
    flood: await writeScript(dir, "flood.sh", `yes x | head -c 3000000\necho done >&2`),
    env: await writeScript(dir, "env.sh", "env | sort"),
    // Appends one line to the file named by $1 per run: counts runs.
    counter: await writeScript(dir, "counter.sh", `echo ran >> "$1"\necho "counted"`),
    // Records the pid of its process group, then waits: for crash tests.
    slowcounter: await writeScript(dir, "slow-counter.sh", `echo ran >> "$1"\necho $$ > "$1.pid"\nsleep 30`),
    fail: await writeScript(dir, "fail.sh", "echo oops >&2\nexit 7"),
    // Prints nothing; sleeps $1 seconds: for the deferred ack.
    quiet: await writeScript(dir, "quiet.sh", 'sleep "$1"'),
    noexec: await writeScript(dir, "noexec.sh", "echo hi", 0o644),
  };
}

export const TEST_HOST: HostInfo = {
  hostname: "test-host",
  fqdn: "test-host.example.test",
  machineId: "0123456789abcdef0123456789abcdef",
  ipAddress: "192.0.2.10",
  os: { family: "debian", name: "Debian GNU/Linux 12 (bookworm)", version: "12", codename: "bookworm", arch: "x86_64" },
};

/** An AgentConfig for `server`, with the test scripts allowlisted (except `notlisted`). */
export function testConfig(
  server: string,
  stateDir: string,
  scripts: Record<string, string>,
  extra: Record<string, unknown> = {},
): AgentConfig {
  return parseConfig({ server, state_dir: stateDir, scripts, tags: { env: "test" }, ...extra }, "<inline>");
}

/** A state dir enrolled against `server` with a one-time token (the real enrollment code path). */
export async function enrolledConfig(
  server: FakeServer,
  options: { identity?: string; extra?: Record<string, unknown> } = {},
): Promise<{ config: AgentConfig; dir: string; scripts: Record<string, string> }> {
  const dir = await tempDir();
  const scripts = await writeTestScripts(dir);
  const config = testConfig(server.url, path.join(dir, "state"), scripts, options.extra);
  const token = await server.ottToken(options.identity ?? "identity-1");
  await enrollWithToken(config, token, { logger: silentLogger });
  return { config, dir, scripts };
}
