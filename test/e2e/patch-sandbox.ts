import { mkdirSync } from "node:fs";
import path from "node:path";
import {
  buildDeb,
  makeAptSandbox,
  sandboxRun,
  setSources,
  writeRepo,
} from "../../packages/agent/src/test-support/deb-repo";
import { AgentProcess } from "./agent-process";

/**
 * Real agents in patching sandbox mode for the e2e tests (docs/patching.md "Testing"): a temporary
 * dpkg root per agent and two `file:` repos built with dpkg-deb/dpkg-scanpackages — `demo` 1.0-1 in a
 * `bookworm` suite and 2.0-1 in a `bookworm-security` suite — so every agent reports one pending
 * security update (`demo` 1.0-1 → 2.0-1) on connect. Callers check `debToolsMissing()` first.
 */

export interface DemoRepos {
  /** The repo with demo 1.0-1 (installed). */
  v1: string;
  /** The repo with demo 2.0-1 (the pending security update). */
  v2: string;
}

export type AptSandbox = ReturnType<typeof makeAptSandbox>;

/** Builds the two repos under `work`. */
export function buildDemoRepos(work: string): DemoRepos {
  const v1 = path.join(work, "repo1");
  const v2 = path.join(work, "repo2");
  mkdirSync(v1, { recursive: true });
  mkdirSync(v2, { recursive: true });
  buildDeb({ name: "demo", version: "1.0-1" }, work, v1);
  buildDeb({ name: "demo", version: "2.0-1" }, work, v2);
  writeRepo(v1, "bookworm");
  writeRepo(v2, "bookworm-security");
  return { v1, v2 };
}

/**
 * A sandbox root `<work>/sb-<key>` with demo 1.0-1 installed from repo1, then repo2 added (one
 * pending update), and an agent for it, enrolled and started (not yet waited for: `waitOnline`).
 */
export async function startSandboxAgent(
  base: string,
  access: string,
  work: string,
  repos: DemoRepos,
  key: string,
  name: string,
): Promise<{ agent: AgentProcess; sandbox: AptSandbox }> {
  const dir = path.join(work, `sb-${key}`);
  const sandbox = makeAptSandbox(dir, [repos.v1]);
  sandboxRun(sandbox, "apt-get", ["-q", "update"]);
  sandboxRun(sandbox, "apt-get", ["-y", "-q", "install", "demo=1.0-1"]);
  setSources(sandbox, [repos.v1, repos.v2]);
  sandboxRun(sandbox, "apt-get", ["-q", "update"]);
  const agent = new AgentProcess(base, name, {}, {}, { patching: { enabled: true, sandbox_dir: dir } });
  await agent.enroll(access);
  agent.start();
  return { agent, sandbox };
}
