/**
 * The one-line installer end to end: the real self-contained agent executable (built once and
 * cached in packages/agent/dist/release) is published to the dev server's local R2 the way
 * `pnpm deploy` publishes it; GET /agent/v1/install.sh is checked with shellcheck and run with an
 * enrollment token into a temporary root with the service start stubbed (--no-start); the
 * installed executable then connects and the host comes online.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminAccess } from "./agent-process";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const releaseDir = path.join(root, "packages/agent/dist/release");
const base = () => inject("baseUrl");
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const supported = process.platform === "linux" && process.arch === "x64";
if (!supported) console.log("skip: the installer test runs the linux-x64 executable");
if (!has("shellcheck")) console.log("skip: shellcheck is not installed (apt-get install shellcheck)");

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Builds the linux-x64 executable unless a release with the unit is already there (cache). */
function ensureRelease() {
  const manifest = path.join(releaseDir, "manifest.json");
  const cached =
    existsSync(manifest) &&
    existsSync(path.join(releaseDir, "fleetgate-agent-linux-x64")) &&
    (JSON.parse(readFileSync(manifest, "utf8")) as { unit?: unknown }).unit !== undefined;
  if (cached) return;
  const out = spawnSync(
    process.execPath,
    [path.join(root, "packages/agent/release/build.mjs"), "--targets", "linux-x64", "--no-packages"],
    { cwd: path.join(root, "packages/agent"), encoding: "utf8", timeout: 600_000 },
  );
  if (out.status !== 0) throw new Error(`agent build failed:\n${out.stdout}\n${out.stderr}`);
}

let access = "";
let work = "";
let agent: ChildProcess | undefined;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "fg-install-"));
  if (supported) publishRelease();
  // After the (slow) build: a keep-alive connection opened before it would be stale by now.
  access = await adminAccess(base());
}, 900_000);

function publishRelease() {
  ensureRelease();
  const out = spawnSync(
    process.execPath,
    [path.join(root, "scripts/publish-agent.mjs"), "--local", "--persist-to", inject("persistDir")],
    { cwd: root, encoding: "utf8", timeout: 300_000 },
  );
  if (out.status !== 0) throw new Error(`publish failed:\n${out.stdout}\n${out.stderr}`);
}

afterAll(() => {
  if (agent?.pid && agent.exitCode === null) process.kill(-agent.pid, "SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

async function enrollment(name: string) {
  const res = await fetch(`${base()}/api/v1/enrollments`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${access}` },
    body: JSON.stringify({ name, kind: "host", method: "ott" }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { identity_id: string; jwt: string; install_command: string };
}

async function script(): Promise<string> {
  const file = path.join(work, "install.sh");
  const res = await fetch(`${base()}/agent/v1/install.sh`);
  expect(res.status).toBe(200);
  writeFileSync(file, await res.text());
  return file;
}

function install(file: string, args: string[]) {
  const env = { ...process.env };
  delete env.FLEETGATE_TOKEN;
  return spawnSync("sh", [file, ...args], { encoding: "utf8", env, timeout: 300_000 });
}

describe.runIf(has("shellcheck"))("GET /agent/v1/install.sh", () => {
  it("is shellcheck-clean POSIX sh", async () => {
    const out = spawnSync("shellcheck", ["--shell=sh", "--severity=style", await script()], { encoding: "utf8" });
    expect(out.stdout + out.stderr).toBe("");
    expect(out.status).toBe(0);
  });
});

describe("installer refusals change nothing", () => {
  it.each([
    [[], "an enrollment token is required"],
    [["--token", "not a jwt"], "the token is not a JWT"],
    [["--token", "a.b.c", "--method", "snap"], "--method must be auto, package or binary"],
    [["--token", "a.b.c", "--root", "relative/dir"], "--root must be an absolute path"],
    [["--token", "a.b.c", "--version", "../../x"], "invalid version"],
    [["--token", "a.b.c", "--bogus"], "unknown option: --bogus"],
  ])("%j → %s", async (args, message) => {
    const target = mkdtempSync(path.join(work, "refused-"));
    const out = install(await script(), [...args, ...(args.includes("--root") ? [] : ["--root", target])]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(message);
    expect(spawnSync("find", [target, "-mindepth", "1"], { encoding: "utf8" }).stdout).toBe("");
  });
});

describe.runIf(supported)("one-line install into a temporary root", () => {
  const target = () => path.join(work, "root");

  it("downloads and verifies the executable, writes the config, enrolls and prints what it did", async () => {
    const e = await enrollment(`install-${Date.now()}`);
    expect(e.install_command).toBe(`curl -fsSL ${base()}/agent/v1/install.sh | sudo sh -s -- --token ${e.jwt}`);
    const out = install(await script(), ["--token", e.jwt, "--root", target(), "--no-start"]);
    expect(out.stderr).not.toContain("error");
    expect(out.status).toBe(0);
    const exe = path.join(target(), "usr/local/bin/fleetgate-agent");
    const expected = sha256(path.join(releaseDir, "fleetgate-agent-linux-x64"));
    expect(sha256(exe)).toBe(expected);
    expect(statSync(exe).mode & 0o777).toBe(0o755);
    expect(out.stdout).toContain(`fleetgate-install: downloaded linux-x64 (sha256 ${expected}, verified)`);
    expect(out.stdout).toContain(`fleetgate-install: wrote ${target()}/etc/fleetgate-agent/config.yaml`);
    expect(out.stdout).toMatch(/^enrolled \(ott\) as /m);
    expect(out.stdout).toContain("service not started (--no-start)");
    expect(out.stdout).not.toContain(e.jwt);
    const unit = readFileSync(path.join(target(), "etc/systemd/system/fleetgate-agent.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/fleetgate-agent run --config /m);
    const config = readFileSync(path.join(target(), "etc/fleetgate-agent/config.yaml"), "utf8");
    expect(config).toContain(`server: '${base()}'`);
    expect(config).not.toContain(e.jwt);
    const state = path.join(target(), "var/lib/fleetgate-agent");
    expect(statSync(path.join(state, "key.pem")).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(state, "cert.pem"))).toBe(true);

    // The installed executable is the agent: it connects and the host comes online.
    agent = spawn(exe, ["run", "--config", path.join(target(), "etc/fleetgate-agent/config.yaml")], {
      stdio: "ignore",
      detached: true,
    });
    const deadline = Date.now() + 60_000;
    let online = false;
    while (!online && Date.now() < deadline) {
      const res = await fetch(`${base()}/api/v1/hosts/${e.identity_id}`, {
        headers: { authorization: `Bearer ${access}` },
      });
      online = res.status === 200 && ((await res.json()) as { online: boolean }).online;
      if (!online) await new Promise((r) => setTimeout(r, 300));
    }
    expect(online).toBe(true);
  });

  it("run again, keeps the config and the enrollment, and does not use the token", async () => {
    const config = path.join(target(), "etc/fleetgate-agent/config.yaml");
    writeFileSync(config, `${readFileSync(config, "utf8")}# local edit\n`);
    const cert = readFileSync(path.join(target(), "var/lib/fleetgate-agent/cert.pem"), "utf8");
    const out = install(await script(), ["--token", "x.y.z", "--root", target(), "--no-start"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain("kept the existing");
    expect(out.stdout).toContain("already enrolled");
    expect(readFileSync(config, "utf8")).toContain("# local edit");
    expect(readFileSync(path.join(target(), "var/lib/fleetgate-agent/cert.pem"), "utf8")).toBe(cert);
  });
});
