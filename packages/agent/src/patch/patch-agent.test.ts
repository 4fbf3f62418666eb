import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AgentMessage } from "@fleetgate/contract/agent";
import { packageSetHash } from "@fleetgate/contract/patching";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../log";
import { buildDeb, debToolsMissing, makeAptSandbox, sandboxRun, setSources, writeRepo } from "../test-support/deb-repo";
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
});
