// Starts the control plane locally with `wrangler dev` (workerd + local D1/R2/Queues/DOs).
// Used by `pnpm dev`, the end-to-end tests and `pnpm bench`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const wranglerBin = path.join(root, "node_modules", "wrangler", "bin", "wrangler.js");

/** Finds a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

/** Runs wrangler with the Node that runs us (Node 22 from the `node` devDependency under pnpm scripts). */
export function wrangler(args, opts = {}) {
  return spawnSync(process.execPath, [wranglerBin, ...args], {
    cwd: root,
    stdio: opts.stdio ?? "pipe",
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...(opts.env ?? {}) },
  });
}

/** Builds the dashboard (wrangler.toml [assets]) unless a build is there already. */
export function ensureDashboard({ force = false } = {}) {
  const dir = path.join(root, "packages", "dashboard");
  if (!force && existsSync(path.join(dir, "dist", "index.html"))) return;
  const vite = path.join(dir, "node_modules", "vite", "bin", "vite.js");
  const res = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: dir, stdio: "inherit" });
  if (res.status !== 0) throw new Error("dashboard build failed");
}

/** Applies the D1 migrations to the local database (optionally under persistTo). */
export function migrateLocal(persistTo) {
  const args = ["d1", "migrations", "apply", "DB", "--local"];
  if (persistTo) args.push("--persist-to", persistTo);
  const res = wrangler(args, { env: { CI: "true" } });
  if (res.status !== 0) throw new Error(`migrations failed:\n${res.stdout}\n${res.stderr}`);
}

/**
 * Starts `wrangler dev` on 127.0.0.1:port and resolves once GET /health answers.
 * `vars` are passed with --var (they override .dev.vars). Returns { url, child, stop }.
 */
export async function startLocalServer({
  port,
  persistTo,
  vars = {},
  inherit = false,
  timeoutMs = 180_000,
  inspectorPort,
}) {
  ensureDashboard();
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false"];
  // DevTools for the Worker's isolate (bench/profile.mjs takes CPU profiles through it).
  if (inspectorPort) args.push("--inspector-port", String(inspectorPort));
  if (persistTo) args.push("--persist-to", persistTo);
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = spawn(process.execPath, [wranglerBin, ...args], {
    cwd: root,
    stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"],
    // wrangler dev records a trace of every invocation (each request, RPC, D1 query) into a local
    // SQLite store for its Local Explorer: a dev-only cost on every event that production does not
    // have. The tests, the bench and the SDK generator do not read it (X_LOCAL_OBSERVABILITY=true keeps it).
    env: { X_LOCAL_OBSERVABILITY: "false", ...process.env, WRANGLER_SEND_METRICS: "false" },
    detached: !inherit,
  });
  let output = "";
  if (!inherit) {
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(undefined);
      child.once("exit", () => resolve(undefined));
      try {
        if (!inherit && child.pid) process.kill(-child.pid, "SIGTERM");
        else child.kill("SIGTERM");
      } catch {
        resolve(undefined);
      }
      setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {}
        resolve(undefined);
      }, 5000).unref();
    });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return { url, child, stop, output: () => output };
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready within ${timeoutMs} ms:\n${output}`);
}
