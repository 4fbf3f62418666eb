import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import { referenceFile } from "./reference";

/**
 * Real agent processes for the end-to-end tests: each gets a temporary
 * config directory with allowlisted shell scripts, enrolls with a one-time
 * token through the real enrollment API, and runs `fleetgate-agent run`
 * (packages/agent, from source through tsx) until stopped.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// The .bin/tsx entry is a shell shim; run tsx's own entry point with this Node.
const tsx = path.join(root, "packages/agent/node_modules/tsx/dist/cli.mjs");
const cli = path.join(root, "packages/agent/src/cli.ts");

export const SCRIPTS: Record<string, string> = {
  // Prints each argument on its own line: shows that arguments arrive as literal argv.
  echo: `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done\n`,
  slow: `#!/bin/sh\necho started\nsleep "\${1:-30}"\necho finished\n`,
  fail: `#!/bin/sh\necho "it broke" >&2\nexit 3\n`,
  stream: `#!/bin/sh\nfor i in 1 2 3; do echo "line $i"; sleep 0.2; done\necho "to stderr" >&2\n`,
  hostname: `#!/bin/sh\nuname -s\n`,
};

export { adminAccess } from "./admin-login";

export async function apiToken(base: string, access: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${access}` },
    body: JSON.stringify({ name: `e2e-${Date.now()}-${Math.random().toString(36).slice(2, 6)}` }),
  });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}

export class AgentProcess {
  readonly dir: string;
  readonly config: string;
  hostId = "";
  private child: ChildProcess | undefined;
  private generation = 0;

  constructor(
    readonly base: string,
    readonly name: string,
    readonly tags: Record<string, string> = {},
    extraScripts: Record<string, string> = {},
    /** More config keys (e.g. `patching` with a sandbox_dir). */
    extraConfig: Record<string, unknown> = {},
  ) {
    this.dir = mkdtempSync(path.join(tmpdir(), `fg-agent-${name}-`));
    const scripts: Record<string, string> = {};
    mkdirSync(path.join(this.dir, "scripts"));
    for (const [s, body] of Object.entries({ ...SCRIPTS, ...extraScripts })) {
      const file = path.join(this.dir, "scripts", `${s}.sh`);
      writeFileSync(file, body);
      chmodSync(file, 0o755);
      scripts[s] = file;
    }
    this.config = path.join(this.dir, "config.json");
    writeFileSync(
      this.config,
      JSON.stringify(
        {
          server: base,
          state_dir: path.join(this.dir, "state"),
          scripts,
          tags,
          max_timeout_seconds: 120,
          ...extraConfig,
        },
        null,
        2,
      ),
    );
  }

  /** Creates the enrollment (admin API) and runs `fleetgate-agent enroll --token`. */
  async enroll(access: string): Promise<void> {
    const res = await fetch(`${this.base}/api/v1/enrollments`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${access}` },
      body: JSON.stringify({ name: this.name, kind: "host", method: "ott" }),
    });
    if (res.status !== 201) throw new Error(`enrollment ${this.name}: ${res.status} ${await res.text()}`);
    const e = (await res.json()) as { identity_id: string; jwt: string };
    this.hostId = e.identity_id;
    const out = spawnSync(process.execPath, [tsx, cli, "enroll", "--config", this.config, "--token", e.jwt], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    if (out.status !== 0)
      throw new Error(`agent enroll ${this.name}: exit ${out.status}\n${out.stdout}\n${out.stderr}`);
  }

  /** Starts `fleetgate-agent run` (logs to <dir>/agent-<n>.log). */
  start(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return;
    const log = createWriteStream(path.join(this.dir, `agent-${this.generation++}.log`));
    const child = spawn(process.execPath, [tsx, cli, "run", "--config", this.config], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FLEETGATE_LOG_LEVEL: "debug" },
      detached: true,
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
  }

  /** Stops the process (SIGTERM: graceful; SIGKILL: a crash) and waits for it to exit. */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
    await exited;
  }

  /** Waits until the control plane shows the host online (or offline). */
  async waitOnline(access: string, online = true, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await fetch(`${this.base}/api/v1/hosts/${this.hostId}`, {
        headers: { authorization: `Bearer ${access}` },
      });
      if (res.status === 200 && ((await res.json()) as { online: boolean }).online === online) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name} not ${online ? "online" : "offline"} in time; log:\n${this.logs()}`);
  }

  /** The agent's own log lines (JSON), the last `tail` of each process run. */
  logs(tail = 30): string {
    let out = "";
    for (let i = 0; i < this.generation; i++) {
      const f = path.join(this.dir, `agent-${i}.log`);
      if (existsSync(f)) out += `${readFileSync(f, "utf8").split("\n").slice(-tail).join("\n")}\n`;
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.stop("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `fn` until it returns a truthy value. */
export async function until<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Validates a response body against a schema of the upstream ctrl-exec 0.12.3
 * OpenAPI document (read-only, outside the project), or returns undefined when
 * the document is not on this machine (the check is then skipped).
 */
export function upstreamValidator(): ((schema: string, body: unknown) => string[]) | undefined {
  const file = referenceFile("specs/ctrl-exec-openapi-0.12.3.json", "conformance with the upstream ctrl-exec spec");
  if (!file) return undefined;
  const spec = JSON.parse(readFileSync(file, "utf8")) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "ctrl-exec", components: spec.components }, "ctrl-exec");
  return (schema, body) => {
    const validate = ajv.getSchema(`ctrl-exec#/components/schemas/${schema}`);
    if (!validate) return [`no schema ${schema}`];
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
