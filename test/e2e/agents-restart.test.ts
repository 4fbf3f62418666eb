/**
 * A control-plane restart under a running job: this file starts its own
 * `wrangler dev` (own port and state directory), enrolls a real agent, starts
 * a script, restarts the server while the script runs, and checks that the
 * agent reconnects by itself and the result lands — nothing lost, nothing run
 * twice (Durable Object state and D1 persist across the restart).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type LocalServer, migrateLocal, startLocalServer } from "../../scripts/lib/local-server.mjs";
import { AgentProcess, adminAccess, apiToken, until } from "./agent-process";
import { E2E_ADMIN } from "./global-setup";

const vars = {
  MASTER_KEY: "cmVzdGFydC1tYXN0ZXIta2V5LWZvci10ZXN0cy1vbmx5LTA=",
  PASSWORD_PEPPER: "cmVzdGFydC1wZXBwZXItZm9yLXRlc3RzLW9ubHktMDAwMDA=",
  FLEETGATE_ADMIN_USERNAME: E2E_ADMIN.username,
  FLEETGATE_ADMIN_PASSWORD: E2E_ADMIN.password,
  LOG_LEVEL: "warn",
};

let dir = "";
let port = 0;
let server: LocalServer | undefined;
let agent: AgentProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "fleetgate-restart-"));
  migrateLocal(dir);
  port = await freePort();
  server = await startLocalServer({ port, persistTo: dir, vars });
}, 120_000);

afterAll(async () => {
  await agent?.dispose();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a server restart during a job", () => {
  it("the agent reconnects and the running script's result is recorded once", { timeout: 240_000 }, async () => {
    const base = server?.url ?? "";
    const access = await adminAccess(base);
    const token = await apiToken(base, access);
    agent = new AgentProcess(base, `restart-${Math.random().toString(36).slice(2, 7)}`);
    await agent.enroll(access);
    agent.start();
    await agent.waitOnline(access);

    const submit = await fetch(`${base}/run`, {
      method: "POST",
      body: JSON.stringify({ hosts: [agent.name], script: "slow", args: ["8"], token, async: true }),
    });
    expect(submit.status).toBe(202);
    const { reqid } = (await submit.json()) as { reqid: string };
    const status = async () =>
      (await (await fetch(`${base}/status/${reqid}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        complete: boolean;
        hosts: Record<string, { status: string; exit?: number; stdout?: string }>;
      };
    await until(async () => (await status()).hosts[agent?.name ?? ""]?.status === "running");

    await server?.stop();
    server = await startLocalServer({ port, persistTo: dir, vars });

    const done = await until(
      async () => {
        const s = await status().catch(() => undefined);
        return s?.complete ? s : undefined;
      },
      120_000,
      500,
    ).catch((err) => {
      console.log(agent?.logs());
      throw err;
    });
    expect(done.hosts[agent.name]).toEqual({ status: "done", exit: 0, stdout: "started\nfinished\n", stderr: "" });
    expect(agent.logs(Number.POSITIVE_INFINITY).split(`REQID=${reqid} running slow`).length - 1).toBe(1);
    // And the host is usable again.
    const again = await fetch(`${base}/run`, {
      method: "POST",
      body: JSON.stringify({ hosts: [agent.name], script: "echo", args: ["back"], token }),
    });
    const body = (await again.json()) as { results: { exit: number; stdout: string }[] };
    expect(body.results[0]).toMatchObject({ exit: 0, stdout: "back\n" });
  });
});
