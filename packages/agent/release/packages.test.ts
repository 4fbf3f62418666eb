// The .deb installed into a temporary dpkg root (maintainer scripts run chrootless with
// DPKG_ROOT, systemctl replaced by a recorder), and the .rpm's contents and scriptlets.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- plain ESM build script without type declarations
import { buildDeb, buildRpm } from "./build-packages.mjs";

const has = (tool: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const isRoot = process.getuid?.() === 0;
const canDeb = has("dpkg-deb") && has("dpkg") && has("useradd") && isRoot;
const canRpm = has("rpmbuild") && has("rpm");
if (!canDeb) console.log("skip: .deb install test needs root, dpkg, dpkg-deb and useradd");
if (!canRpm) console.log("skip: .rpm test needs rpmbuild and rpm");

let work = "";
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "fg-pkg-test-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A stand-in executable: packaging does not look inside it, and a small one keeps the test fast. */
async function fakeExecutable(version: string) {
  const file = path.join(work, `agent-${version}`);
  await writeFile(file, `#!/bin/sh\necho ${version}\n`);
  await chmod(file, 0o755);
  return file;
}

describe.runIf(canDeb)(".deb in a temporary dpkg root", () => {
  let root = "";
  let bin = "";
  let calls = "";
  const dpkg = (...args: string[]) => dpkgWith({}, ...args);
  const dpkgWith = (extraEnv: Record<string, string>, ...args: string[]) =>
    execFileSync("dpkg", [`--root=${root}`, "--force-script-chrootless", "--force-depends", ...args], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
  const systemctlCalls = async () => (await readFile(calls, "utf8").catch(() => "")).trim().split("\n").filter(Boolean);

  beforeAll(async () => {
    root = path.join(work, "root");
    bin = path.join(work, "bin");
    calls = path.join(work, "systemctl.log");
    for (const dir of ["etc", "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log", "run/systemd/system", "usr/sbin"])
      await mkdir(path.join(root, dir), { recursive: true });
    await writeFile(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    await writeFile(path.join(root, "etc/group"), "root:x:0:\n");
    await writeFile(path.join(root, "etc/shadow"), "root:*:19000:0:99999:7:::\n", { mode: 0o640 });
    await writeFile(path.join(root, "etc/gshadow"), "root:*::\n", { mode: 0o640 });
    await writeFile(path.join(root, "var/lib/dpkg/status"), "");
    await mkdir(bin, { recursive: true });
    // Records each call; the scripts must only call it when "$DPKG_ROOT/run/systemd/system" exists.
    await writeFile(path.join(bin, "systemctl"), `#!/bin/sh\necho "$*" >> "${calls}"\n`);
    await chmod(path.join(bin, "systemctl"), 0o755);
  });

  it("installs the executable, the unit, the config directory and a system user; enables without starting", async () => {
    const deb = await buildDeb({
      version: "1.0.0",
      arch: "x64",
      executable: await fakeExecutable("1.0.0"),
      outDir: work,
    });
    expect(execFileSync("dpkg-deb", ["--field", deb, "Package", "Version", "Architecture"], { encoding: "utf8" })).toBe(
      "Package: fleetgate-agent\nVersion: 1.0.0\nArchitecture: amd64\n",
    );
    dpkg("--install", deb);
    const exe = await stat(path.join(root, "usr/bin/fleetgate-agent"));
    expect(exe.mode & 0o777).toBe(0o755);
    const unit = await readFile(path.join(root, "lib/systemd/system/fleetgate-agent.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/fleetgate-agent run --config \/etc\/fleetgate-agent\/config.yaml$/m);
    expect(unit).not.toMatch(/\/usr\/bin\/node|\.mjs/);
    const passwd = await readFile(path.join(root, "etc/passwd"), "utf8");
    const entry = passwd.split("\n").find((l) => l.startsWith("fleetgate-agent:"));
    expect(entry).toBeDefined();
    const [, , uid, gid, , home, shell] = (entry ?? "").split(":");
    expect(Number(uid)).toBeLessThan(1000);
    expect(home).toBe("/var/lib/fleetgate-agent");
    expect(shell).toBe("/usr/sbin/nologin");
    const etc = await stat(path.join(root, "etc/fleetgate-agent"));
    expect(etc.mode & 0o777).toBe(0o750);
    expect(etc.gid).toBe(Number(gid));
    expect((await stat(path.join(root, "var/lib/fleetgate-agent"))).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(root, "etc/fleetgate-agent/config.example.yaml"))).toBe(true);
    expect(await systemctlCalls()).toEqual(["--system daemon-reload", "enable fleetgate-agent.service"]);
  });

  it("upgrade replaces the executable, keeps config and state, restarts a running service", async () => {
    await writeFile(path.join(root, "etc/fleetgate-agent/config.yaml"), "server: https://cp.example\n");
    await writeFile(path.join(root, "var/lib/fleetgate-agent/key.pem"), "KEY", { mode: 0o600 });
    await writeFile(calls, "");
    const deb = await buildDeb({
      version: "1.1.0",
      arch: "x64",
      executable: await fakeExecutable("1.1.0"),
      outDir: work,
    });
    dpkg("--install", deb);
    expect(await readFile(path.join(root, "usr/bin/fleetgate-agent"), "utf8")).toContain("echo 1.1.0");
    expect(await readFile(path.join(root, "etc/fleetgate-agent/config.yaml"), "utf8")).toBe(
      "server: https://cp.example\n",
    );
    const config = await stat(path.join(root, "etc/fleetgate-agent/config.yaml"));
    expect(config.mode & 0o777).toBe(0o640);
    expect(await readFile(path.join(root, "var/lib/fleetgate-agent/key.pem"), "utf8")).toBe("KEY");
    const log = await systemctlCalls();
    expect(log).toContain("try-restart fleetgate-agent.service");
    expect(log).not.toContain("stop fleetgate-agent.service");
    expect((await readFile(path.join(root, "etc/passwd"), "utf8")).match(/^fleetgate-agent:/gm)).toHaveLength(1);
  });

  it("an upgrade the agent runs itself (FLEETGATE_AGENT_SELF_UPGRADE=1) leaves the service to the agent", async () => {
    await writeFile(calls, "");
    const deb = await buildDeb({
      version: "1.2.0",
      arch: "x64",
      executable: await fakeExecutable("1.2.0"),
      outDir: work,
    });
    dpkgWith({ FLEETGATE_AGENT_SELF_UPGRADE: "1" }, "--install", deb);
    expect(await readFile(path.join(root, "usr/bin/fleetgate-agent"), "utf8")).toContain("echo 1.2.0");
    const log = await systemctlCalls();
    expect(log).toEqual(["--system daemon-reload"]);
  });

  it("remove stops and disables the service and keeps config and state; purge deletes them", async () => {
    await writeFile(calls, "");
    dpkg("--remove", "fleetgate-agent");
    expect(await systemctlCalls()).toEqual([
      "stop fleetgate-agent.service",
      "disable fleetgate-agent.service",
      "--system daemon-reload",
    ]);
    expect(existsSync(path.join(root, "usr/bin/fleetgate-agent"))).toBe(false);
    expect(existsSync(path.join(root, "etc/fleetgate-agent/config.yaml"))).toBe(true);
    expect(existsSync(path.join(root, "var/lib/fleetgate-agent/key.pem"))).toBe(true);
    dpkg("--purge", "fleetgate-agent");
    expect(existsSync(path.join(root, "etc/fleetgate-agent"))).toBe(false);
    expect(existsSync(path.join(root, "var/lib/fleetgate-agent"))).toBe(false);
  });
});

describe.runIf(canRpm)(".rpm", () => {
  it("holds the executable, the unit and the config directory, with user creation and stop-on-remove scriptlets", async () => {
    const rpm = await buildRpm({
      version: "1.0.0",
      arch: "arm64",
      executable: await fakeExecutable("1.0.0"),
      outDir: work,
    });
    expect(path.basename(rpm)).toBe("fleetgate-agent-1.0.0-1.aarch64.rpm");
    const q = (...args: string[]) => execFileSync("rpm", ["-qp", ...args, rpm], { encoding: "utf8" });
    expect(q("--qf", "%{NAME} %{VERSION} %{ARCH}")).toBe("fleetgate-agent 1.0.0 aarch64");
    expect(q("--list").trim().split("\n")).toEqual([
      "/etc/fleetgate-agent",
      "/etc/fleetgate-agent/config.example.yaml",
      "/usr/bin/fleetgate-agent",
      "/usr/lib/systemd/system/fleetgate-agent.service",
      "/var/lib/fleetgate-agent",
    ]);
    expect(q("--requires")).not.toMatch(/node/);
    const scripts = q("--scripts");
    expect(scripts).toMatch(/useradd --system/);
    expect(scripts).toMatch(/preuninstall scriptlet[\s\S]*systemctl stop fleetgate-agent\.service/);
  });
});
