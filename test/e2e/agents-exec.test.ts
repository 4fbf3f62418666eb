/**
 * End to end with REAL agent processes (packages/agent) against a real
 * `wrangler dev`: enroll, connect, run allowlisted scripts through the
 * ctrl-exec face (sync, async + /status polling), the native face and the
 * WebSocket stream; then the failure cases — an agent killed mid-run, and a
 * host that is offline when the job is submitted.
 * Responses of the ctrl-exec face are checked against the upstream ctrl-exec
 * 0.12.3 schemas when that document is on this machine.
 */
import { validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { AgentProcess, adminAccess, apiToken, until, upstreamValidator } from "./agent-process";

const base = () => inject("baseUrl");
const check = upstreamValidator();
const conforms = (schema: string, body: unknown) => {
  if (check) expect(check(schema, body), schema).toEqual([]);
};

const suffix = Math.random().toString(36).slice(2, 7);
let access = "";
let token = "";
const agents: AgentProcess[] = [];
const [a, b, c] = ["a", "b", "c"].map((n) => `e2e-${n}-${suffix}`) as [string, string, string];

async function post(path: string, body: unknown) {
  const res = await fetch(`${base()}${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function status(reqid: string) {
  const res = await fetch(`${base()}/status/${reqid}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as {
    complete: boolean;
    pending: string[];
    hosts: Record<string, { status: string; exit?: number; stdout?: string; stderr?: string; error?: string }>;
  };
}

beforeAll(async () => {
  access = await adminAccess(base());
  token = await apiToken(base(), access);
  for (const [name, tags] of [
    // A role of this run's own: other e2e files leave (stopped) agents tagged role=web on the shared server.
    [a, { role: `web-${suffix}`, env: "e2e" }],
    [b, { role: `web-${suffix}`, env: "e2e" }],
    [c, { role: "db", env: "e2e" }],
  ] as const) {
    const agent = new AgentProcess(base(), name, tags);
    agents.push(agent);
    await agent.enroll(access);
    agent.start();
  }
  await Promise.all(agents.map((x) => x.waitOnline(access)));
  // Job targeting by tag reads admin-assigned tags only (the agents' reports are labels).
  for (const agent of agents.slice(0, 2)) {
    const res = await fetch(`${base()}/api/v1/hosts/${agent.hostId}/tags`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${access}` },
      body: JSON.stringify({ tags: { role: `web-${suffix}` } }),
    });
    expect(res.status).toBe(200);
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(agents.map((x) => x.dispose()));
});

describe("real agents on the ctrl-exec face", () => {
  it("/openapi.json and /openapi-live.json are valid OpenAPI 3.1 documents", async () => {
    for (const [path, headers] of [
      ["/openapi.json", {}],
      ["/openapi-live.json", { authorization: `Bearer ${token}` }],
    ] as const) {
      const res = await fetch(`${base()}${path}`, { headers });
      expect(res.status, path).toBe(200);
      const doc = (await res.json()) as { openapi: string };
      expect(doc.openapi).toBe("3.1.0");
      const result = await validate(structuredClone(doc) as never);
      expect(result.valid ? [] : result.errors, path).toEqual([]);
    }
  });

  it("discovery lists each host's allowlisted scripts and tags", async () => {
    const { status: code, body } = await post("/discovery", { hosts: [a, b, c], token });
    expect(code).toBe(200);
    conforms("DiscoveryResponse", body);
    const hosts = body.hosts as Record<
      string,
      { status: string; tags: Record<string, string>; scripts: { name: string }[] }
    >;
    expect(hosts[a]?.status).toBe("ok");
    expect(hosts[c]?.tags).toEqual({ role: "db", env: "e2e" });
    expect(hosts[a]?.scripts.map((s) => s.name).sort()).toEqual(["echo", "fail", "hostname", "slow", "stream"]);
  });

  it("ping answers with rtt, version and the certificate expiry", async () => {
    const { status: code, body } = await post("/ping", { hosts: [a, b, c], token });
    expect(code).toBe(200);
    conforms("PingResponse", body);
    for (const r of body.results as { status: string; version: string; expiry: string }[]) {
      expect(r.status).toBe("ok");
      expect(r.expiry).toMatch(/ GMT$/);
    }
  });

  it("sync /run on three hosts: real output, exit codes, literal argv", async () => {
    const args = ["; rm -rf /tmp/x", "$(id)", "`uname`", "a b", "'q'"];
    const { status: code, body } = await post("/run", { hosts: [a, b, c], script: "echo", args, token });
    expect(code).toBe(200);
    conforms("RunResponse", body);
    const results = body.results as { host: string; exit: number; stdout: string; reqid: string }[];
    expect(results.map((r) => r.host)).toEqual([a, b, c]);
    for (const r of results) {
      expect(r.exit).toBe(0);
      expect(r.stdout).toBe(args.map((x) => `${x}\n`).join(""));
      expect(r.reqid).toBe(body.reqid);
    }
    const failed = await post("/run", { hosts: [a], script: "fail", token });
    expect((failed.body.results as { exit: number; stderr: string }[])[0]).toMatchObject({
      exit: 3,
      stderr: "it broke\n",
    });
  });

  it("async /run → 202, then /status until complete", async () => {
    const { status: code, body } = await post("/run", {
      hosts: [a, b],
      script: "slow",
      args: ["1"],
      token,
      async: true,
    });
    expect(code).toBe(202);
    conforms("AsyncSubmitResponse", body);
    expect((body.results as { status: string }[]).map((r) => r.status)).toEqual(["accepted", "accepted"]);
    const reqid = body.reqid as string;
    const first = await status(reqid);
    conforms("StatusResponse", first);
    const done = await until(async () => {
      const s = await status(reqid);
      return s.complete ? s : undefined;
    });
    conforms("StatusResponse", done);
    expect(done.hosts[a]).toEqual({ status: "done", exit: 0, stdout: "started\nfinished\n", stderr: "" });
    expect(done.pending).toEqual([]);
  });

  it("the same script twice on a host → 409 locked", async () => {
    const first = await post("/run", { hosts: [b], script: "slow", args: ["3"], token, async: true });
    expect(first.status).toBe(202);
    const second = await post("/run", { hosts: [b], script: "slow", token });
    expect(second.status).toBe(409);
    conforms("ErrorResponse", second.body);
    expect(second.body).toEqual({ ok: false, error: "locked", code: 4, conflicts: [`${b}:slow`] });
    await until(async () => (await status(first.body.reqid as string)).complete);
  });
});

describe("real agents on the native face", () => {
  it("a job by tag runs on the matching hosts; GET /jobs/{id} has their output", async () => {
    const res = await fetch(`${base()}/api/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${access}` },
      body: JSON.stringify({
        kind: "script",
        script: "echo",
        args: ["native"],
        host_filter: { tag: `role=web-${suffix}` },
        max_parallel: 1,
      }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const job = await until(async () => {
      const d = (await (
        await fetch(`${base()}/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${access}` } })
      ).json()) as {
        job: { status: string };
        hosts: { host_name: string; status: string; output: string }[];
      };
      return d.job.status === "succeeded" ? d : undefined;
    });
    expect(
      job.hosts
        .filter((h) => h.host_name.startsWith("e2e-") && h.host_name.endsWith(suffix))
        .map((h) => h.host_name)
        .sort(),
    ).toEqual([a, b].sort());
    expect(job.hosts.every((h) => h.output === "native\n")).toBe(true);
  });

  it("the WebSocket stream pushes job_update frames and the job's output chunks", async () => {
    const ticket = async () =>
      (
        (await (
          await fetch(`${base()}/api/v1/ws/ticket`, { method: "POST", headers: { authorization: `Bearer ${access}` } })
        ).json()) as { ticket: string }
      ).ticket;
    const created = await fetch(`${base()}/api/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${access}` },
      body: JSON.stringify({ kind: "script", script: "slow", args: ["2"], host_ids: [agents[2]?.hostId] }),
    });
    const { id } = (await created.json()) as { id: string };
    const ws = new WebSocket(`${base().replace("http", "ws")}/api/v1/ws/jobs?ticket=${await ticket()}&job=${id}`, {
      headers: { Origin: "http://127.0.0.1:8787" },
    });
    const frames: Record<string, unknown>[] = [];
    ws.on("message", (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    await until(async () => frames.some((f) => f.event_type === "job" && f.status === "succeeded"), 30_000);
    ws.close();
    const chunks = frames
      .filter((f) => f.event_type === "output")
      .map((f) => f.data)
      .join("");
    expect(chunks).toContain("finished\n");
    expect(frames.find((f) => f.event_type === "host" && f.status === "succeeded")).toMatchObject({
      job_id: id,
      host_id: agents[2]?.hostId,
      output: "started\nfinished\n",
    });
    // A foreign origin is refused before the ticket is looked at.
    const refused = new WebSocket(`${base().replace("http", "ws")}/api/v1/ws/jobs?ticket=${await ticket()}`, {
      headers: { Origin: "https://evil.example" },
    });
    const code = await new Promise<number>((resolve) => {
      refused.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      refused.once("open", () => resolve(101));
    });
    refused.on("error", () => {});
    refused.terminate();
    expect(code).toBe(403);
  });
});

describe("failures with real agents", () => {
  it("an agent killed mid-run reports the command as interrupted when it restarts; it is never run again", {
    timeout: 180_000,
  }, async () => {
    const agent = agents[2];
    if (!agent) throw new Error("no agent");
    const { body } = await post("/run", { hosts: [c], script: "slow", args: ["30"], token, async: true });
    const reqid = body.reqid as string;
    await until(async () => (await status(reqid)).hosts[c]?.status === "running");
    await agent.stop("SIGKILL");
    await agent.waitOnline(access, false);
    agent.start();
    const done = await until(async () => {
      const s = await status(reqid);
      return s.complete ? s : undefined;
    }, 60_000).catch((err) => {
      console.log(agent.logs());
      throw err;
    });
    expect(done.hosts[c]).toMatchObject({ status: "done", exit: -1, error: "interrupted" });
    // Across both agent processes the script was started once.
    expect(agent.logs(Number.POSITIVE_INFINITY).split(`REQID=${reqid} running slow`).length - 1).toBe(1);
  });

  it("a host offline at submission: async is accepted and runs when the agent comes back; sync answers -1", async () => {
    const agent = agents[1];
    if (!agent) throw new Error("no agent");
    await agent.stop("SIGTERM");
    await agent.waitOnline(access, false);
    const sync = await post("/run", { hosts: [b], script: "echo", args: ["now"], token });
    expect((sync.body.results as Record<string, unknown>[])[0]).toMatchObject({ exit: -1, error: "host offline" });
    const queued = await post("/run", { hosts: [b], script: "echo", args: ["later"], token, async: true });
    expect((queued.body.results as { status: string }[])[0]?.status).toBe("accepted");
    expect((await status(queued.body.reqid as string)).complete).toBe(false);
    agent.start();
    const done = await until(async () => {
      const s = await status(queued.body.reqid as string);
      return s.complete ? s : undefined;
    }, 60_000);
    expect(done.hosts[b]).toEqual({ status: "done", exit: 0, stdout: "later\n", stderr: "" });
  });
});
