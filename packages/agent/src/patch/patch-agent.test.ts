import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type AgentMessage,
  type ApplyReport,
  encodePlanArgs,
  encodeRemoveArgs,
  PATCH_APPLY_COMMAND,
  PATCH_REMOVE_COMMAND,
  PATCH_ROLLBACK_COMMAND,
  type RollbackReport,
} from "@fleetgate/contract/agent";
import { packageSetHash } from "@fleetgate/contract/patching";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../log";
import {
  buildDeb,
  debToolsMissing,
  makeAptSandbox,
  sandboxRun,
  sandboxVersion,
  setSources,
  writeRepo,
} from "../test-support/deb-repo";
import type { PackageEnv } from "./package-env";
import { PatchAgent } from "./patch-agent";

/**
 * The agent's inventory reporting against a real apt sandbox: whole on first contact, a
 * diff against the acknowledged base afterwards, whole again when the server asks for it.
 */
const missing = debToolsMissing();
if (missing) console.log(`skip: patch agent tests need Debian's tools: ${missing}`);

const quiet = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

let work = "";
let env: PackageEnv;
let repoV2 = "";

describe.skipIf(missing !== null)("patch agent: inventory reports", { timeout: 120_000 }, () => {
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "fg-patch-agent-"));
    const out = path.join(work, "debs");
    const v1 = path.join(work, "repo1");
    repoV2 = path.join(work, "repo2");
    mkdirSync(v1, { recursive: true });
    mkdirSync(repoV2, { recursive: true });
    buildDeb({ name: "demo", version: "1.0-1" }, work, v1);
    buildDeb({ name: "other", version: "1.0-1" }, work, v1);
    buildDeb({ name: "demo", version: "1.1-1" }, work, repoV2);
    writeRepo(v1, "bookworm");
    writeRepo(repoV2, "bookworm-security");
    mkdirSync(out, { recursive: true });
    env = makeAptSandbox(path.join(work, "sb"), [v1]);
    sandboxRun(env, "apt-get", ["-q", "update"]);
    sandboxRun(env, "apt-get", ["-y", "-q", "install", "demo=1.0-1", "other=1.0-1"]);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("sends the whole inventory, then a diff against the acknowledged base; whole again on full_needed", async () => {
    const frames: AgentMessage[] = [];
    const state = path.join(work, "state");
    mkdirSync(state, { recursive: true });
    const agent = new PatchAgent({
      config: { enabled: true, pollIntervalSeconds: 1800, vaultDir: env.vaultDir, sandboxDir: null },
      stateDir: state,
      logger: quiet,
      send: async (f) => {
        frames.push(f);
        return true;
      },
      env,
    });
    await agent.onConnected(null);
    const first = frames.at(-1);
    if (first?.type !== "inventory") throw new Error(`expected inventory, got ${first?.type}`);
    expect(first.inventory.packages.map((p) => `${p.name}=${p.version}`).sort()).toEqual(["demo=1.0-1", "other=1.0-1"]);
    expect(first.inventory.updates).toEqual([]);
    const hash = await packageSetHash(first.inventory.packages);
    await agent.onAck(hash, false);

    // A security update appears (refresh runs apt-get update), demo is upgraded by hand, other removed.
    setSources(env, [path.join(work, "repo1"), repoV2]);
    await agent.onRefresh();
    const withUpdate = frames.at(-1);
    if (withUpdate?.type !== "inventory_diff") throw new Error(`expected a diff, got ${withUpdate?.type}`);
    expect(withUpdate.diff.base).toBe(hash);
    expect(withUpdate.diff.upserted).toEqual([]);
    expect(withUpdate.diff.updates).toMatchObject([
      { name: "demo", current_version: "1.0-1", candidate_version: "1.1-1", security: true },
    ]);
    await agent.onAck(withUpdate.diff.hash, false);

    sandboxRun(env, "apt-get", ["-y", "-q", "install", "demo=1.1-1"]);
    sandboxRun(env, "apt-get", ["-y", "-q", "remove", "other"]);
    await agent.report({ updateLists: false });
    const diff = frames.at(-1);
    if (diff?.type !== "inventory_diff") throw new Error(`expected a diff, got ${diff?.type}`);
    expect(diff.diff.upserted.map((p) => `${p.name}=${p.version}`)).toEqual(["demo=1.1-1"]);
    expect(diff.diff.removed).toEqual(["other:all"]);
    expect(diff.diff.updates).toEqual([]);

    // The server could not use it: the same inventory goes out whole.
    const count = frames.length;
    await agent.onAck(null, true);
    expect(frames).toHaveLength(count + 1);
    const whole = frames.at(-1);
    if (whole?.type !== "inventory") throw new Error(`expected inventory, got ${whole?.type}`);
    expect(whole.inventory.packages.map((p) => `${p.name}=${p.version}`)).toEqual(["demo=1.1-1"]);
  });

  it("answers health checks (a disabled agent answers unhealthy with the reason)", async () => {
    const frames: AgentMessage[] = [];
    const agent = new PatchAgent({
      config: { enabled: false, pollIntervalSeconds: 1800, vaultDir: env.vaultDir, sandboxDir: null },
      stateDir: work,
      logger: quiet,
      send: async (f) => {
        frames.push(f);
        return true;
      },
      env,
    });
    await agent.onHealthCheck("r1", [{ id: "c1", check_type: "service", service_name: "ssh.service" }]);
    expect(frames).toEqual([
      {
        type: "health_results",
        request_id: "r1",
        results: [{ check_id: "c1", healthy: false, detail: "patching is not enabled on this agent", latency_ms: 0 }],
      },
    ]);
  });

  it("built-in commands: apply installs exactly the plan's version, rollback restores the exact previous one and holds it", async () => {
    const sb = makeAptSandbox(path.join(work, "sb2"), [path.join(work, "repo1"), repoV2]);
    sandboxRun(sb, "apt-get", ["-q", "update"]);
    sandboxRun(sb, "apt-get", ["-y", "-q", "install", "demo=1.0-1"]);
    const frames: AgentMessage[] = [];
    const agent = new PatchAgent({
      config: { enabled: true, pollIntervalSeconds: 1800, vaultDir: sb.vaultDir, sandboxDir: null },
      stateDir: path.join(work, "sb2"),
      logger: quiet,
      send: async (f) => {
        frames.push(f);
        return true;
      },
      env: sb,
    });
    const builtins = agent.builtins();
    const jobId = "4f1f7c2e-0000-4000-8000-000000000001";
    const args = encodePlanArgs(jobId, [{ name: "demo", arch: "all", from_version: "1.0-1", to_version: "1.1-1" }]);
    if (!args) throw new Error("plan does not fit");
    const run = (script: string, a: string[]) => ({
      type: "run" as const,
      command_id: `c-${script}`,
      reqid: "abcdef0123456789",
      script,
      args: a,
      timeout_seconds: 600,
      expires_at: Date.now() + 60_000,
    });
    const apply = builtins.get(PATCH_APPLY_COMMAND);
    const rollback = builtins.get(PATCH_ROLLBACK_COMMAND);
    if (!apply || !rollback) throw new Error("missing built-ins");
    const applied = await apply(run(PATCH_APPLY_COMMAND, args)).done;
    expect(applied.exit_code).toBe(0);
    const report = JSON.parse(applied.stdout) as ApplyReport;
    expect(report.changes).toEqual([{ name: "demo", arch: "all", before: "1.0-1", after: "1.1-1" }]);
    expect(report.vault.map((v) => `${v.name}=${v.version}`)).toEqual(["demo=1.0-1"]);
    expect(sandboxVersion(sb, "demo")?.version).toBe("1.1-1");

    const rolled = await rollback(run(PATCH_ROLLBACK_COMMAND, [jobId])).done;
    expect(rolled.exit_code).toBe(0);
    const rb = JSON.parse(rolled.stdout) as RollbackReport;
    expect(rb).toMatchObject({ ok: true, verified: true, held: ["demo"] });
    expect(sandboxVersion(sb, "demo")).toEqual({ version: "1.0-1", status: "hi" });

    // A garbled plan is refused without touching anything.
    const bad = await apply(run(PATCH_APPLY_COMMAND, [jobId, "[{]"])).done;
    expect(bad).toMatchObject({ exit_code: 1, stderr: "invalid patch plan in the command's arguments" });
    // The remove built-in: garbled arguments and a version the host no longer has are refused.
    const remove = builtins.get(PATCH_REMOVE_COMMAND);
    if (!remove) throw new Error("missing the remove built-in");
    const garbled = await remove(run(PATCH_REMOVE_COMMAND, [jobId, '[{"name":"demo"}]'])).done;
    expect(garbled).toMatchObject({ exit_code: 1, stderr: "invalid package list in the command's arguments" });
    const removeArgs = encodeRemoveArgs(jobId, [{ name: "demo", arch: "all", version: "1.1-1" }]);
    if (!removeArgs) throw new Error("list does not fit");
    const stale = await remove(run(PATCH_REMOVE_COMMAND, removeArgs)).done;
    expect(stale.exit_code).toBe(1);
    expect(JSON.parse(stale.stdout)).toMatchObject({ ok: false, error: "demo is at 1.0-1, the job expected 1.1-1" });
    expect(sandboxVersion(sb, "demo")).toEqual({ version: "1.0-1", status: "hi" });
    await agent.report({ updateLists: false });
    expect(frames.some((f) => f.type === "inventory")).toBe(true);
  });
});
