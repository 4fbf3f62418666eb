import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { EVENT_HUB_NAME } from "@fleetgate/contract";
import { describe, expect, it } from "vitest";
import { connectAgent, enrollHost, eventually, jobStub } from "./agent-helpers";

const hub = env.EVENTS.get(env.EVENTS.idFromName(EVENT_HUB_NAME));

import { adminLogin, bearer, userWithRole } from "./auth-helpers";
import { call, nativeError } from "./helpers";

const ORIGIN = "http://127.0.0.1:8787";

async function ticket(session?: { access: string }): Promise<string> {
  const res = await call("/api/v1/ws/ticket", {
    method: "POST",
    headers: bearer(session?.access ?? (await adminLogin())),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { ticket: string }).ticket;
}

const open = (query: string, headers: Record<string, string> = { Origin: ORIGIN }) =>
  call(`/api/v1/ws/jobs?${query}`, { headers: { Upgrade: "websocket", ...headers } });

/** A dashboard socket that records every frame. */
function listen(res: Response): { frames: Record<string, unknown>[]; ws: WebSocket } {
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status}`);
  ws.accept();
  const frames: Record<string, unknown>[] = [];
  ws.addEventListener("message", (e) => frames.push(JSON.parse(String(e.data)) as Record<string, unknown>));
  return { frames, ws };
}

describe("POST /api/v1/ws/ticket", () => {
  it("a ULID ticket for any signed-in role; anonymous → 401", async () => {
    const r = await userWithRole("reporter");
    expect(await ticket(r.session)).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect((await call("/api/v1/ws/ticket", { method: "POST" })).status).toBe(401);
  });
});

describe("GET /api/v1/ws/jobs gates", () => {
  it("not an upgrade → 426", async () => {
    const res = await call(`/api/v1/ws/jobs?ticket=${await ticket()}`, { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(426);
  });

  for (const [label, headers, message] of [
    ["no Origin", {}, "Origin header required"],
    ["a foreign Origin", { Origin: "https://evil.example" }, "Origin not allowed"],
    ["an Origin with a path", { Origin: "http://127.0.0.1:8787/x" }, "Malformed Origin header"],
    ["Origin: null", { Origin: "null" }, "Malformed Origin header"],
  ] as [string, Record<string, string>, string][]) {
    it(`${label} → 403 forbidden_origin "${message}", and the ticket is not consumed`, async () => {
      const t = await ticket();
      const res = await open(`ticket=${t}`, headers);
      expect(res.status).toBe(403);
      expect(await nativeError(res)).toEqual({ code: "forbidden_origin", message });
      const ok = await open(`ticket=${t}`);
      expect(ok.status).toBe(101);
      ok.webSocket?.accept();
      ok.webSocket?.close();
    });
  }

  it("the server's own origin is accepted though not in ALLOWED_ORIGINS (the dashboard it serves)", async () => {
    const res = await open(`ticket=${await ticket()}`, { Origin: "http://127.0.0.1" });
    expect(res.status).toBe(101);
    res.webSocket?.accept();
    res.webSocket?.close();
    const other = await open(`ticket=${await ticket()}`, { Origin: "http://127.0.0.1:9000" });
    expect(other.status).toBe(403);
  });

  it("the Origin comparison is canonical (case of the host, default port)", async () => {
    const res = await open(`ticket=${await ticket()}`, { Origin: "http://LOCALHOST:8787" });
    expect(res.status).toBe(101);
    res.webSocket?.accept();
    res.webSocket?.close();
  });

  it("unknown, reused and expired tickets → 401", async () => {
    const missing = await open("ticket=01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expect(await nativeError(missing)).toEqual({
      code: "invalid_ticket",
      message: "WebSocket ticket not found or already used",
    });
    const none = await open("");
    expect(none.status).toBe(401);
    const t = await ticket();
    const first = await open(`ticket=${t}`);
    first.webSocket?.accept();
    first.webSocket?.close();
    const reused = await open(`ticket=${t}`);
    expect(reused.status).toBe(401);
    expect((await nativeError(reused)).code).toBe("invalid_ticket");
    const old = await ticket();
    await env.DB.prepare("UPDATE nonces SET expires_at = ? WHERE key = ?")
      .bind(Date.now() - 1, `ws-ticket:${old}`)
      .run();
    const expired = await open(`ticket=${old}`);
    expect(expired.status).toBe(401);
    expect((await nativeError(expired)).code).toBe("ticket_expired");
  });

  it("a per-job stream for a job the user may not see → 403; an unknown job → 404", async () => {
    const host = await enrollHost();
    const admin = await adminLogin();
    const g = (await (
      await call("/api/v1/groups", { method: "POST", headers: bearer(admin), json: { name: `ws-${Date.now()}` } })
    ).json()) as {
      id: string;
    };
    await call(`/api/v1/hosts/${host.id}/groups`, { method: "POST", headers: bearer(admin), json: { group_id: g.id } });
    const job = (await (
      await call("/api/v1/jobs", {
        method: "POST",
        headers: bearer(admin),
        json: { kind: "script", script: "x", host_ids: [host.id] },
      })
    ).json()) as { id: string };
    const op = await userWithRole("operator");
    expect((await open(`ticket=${await ticket(op.session)}&job=${job.id}`)).status).toBe(403);
    expect((await open(`ticket=${await ticket()}&job=${crypto.randomUUID()}`)).status).toBe(404);
  });
});

describe("job_update frames", () => {
  it("the all-jobs stream gets job and host events; a job's own stream also gets output chunks", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { stream: () => "hang" } });
    const all = listen(await open(`ticket=${await ticket()}`));
    const admin = await adminLogin();
    const job = (await (
      await call("/api/v1/jobs", {
        method: "POST",
        headers: bearer(admin),
        json: { kind: "script", script: "stream", host_ids: [host.id] },
      })
    ).json()) as { id: string };
    const mine = listen(await open(`ticket=${await ticket()}&job=${job.id}`));
    const run = await agent.waitFor((f) => f.type === "run");
    if (run.type !== "run") throw new Error("no run");
    await eventually(async () => (await jobStub(job.id).progress()).hosts[0]?.status === "running");
    await eventually(async () => (await hub.subscribers())[job.id] === 1);
    agent.output(run.command_id, "stdout", 0, "line 1\n");
    agent.output(run.command_id, "stderr", 0, "warn\n");
    await eventually(async () => mine.frames.filter((f) => f.event_type === "output").length === 2);
    agent.finish(run.command_id, { exit_code: 0, stdout: "line 1\n", stderr: "warn\n" });
    await eventually(async () => mine.frames.some((f) => f.event_type === "job" && f.status === "succeeded"));
    await eventually(async () =>
      all.frames.some((f) => f.job_id === job.id && f.event_type === "job" && f.status === "succeeded"),
    );

    const ofJob = (frames: Record<string, unknown>[]) => frames.filter((f) => f.job_id === job.id);
    expect(ofJob(mine.frames).filter((f) => f.event_type === "output")).toEqual([
      { event_type: "output", job_id: job.id, host_id: host.id, stream: "stdout", seq: 0, data: "line 1\n" },
      { event_type: "output", job_id: job.id, host_id: host.id, stream: "stderr", seq: 0, data: "warn\n" },
    ]);
    expect(ofJob(all.frames).some((f) => f.event_type === "output")).toBe(false);
    expect(ofJob(all.frames).filter((f) => f.event_type === "host")).toEqual([
      { event_type: "host", job_id: job.id, host_id: host.id, status: "dispatched", agent_job_id: run.command_id },
      { event_type: "host", job_id: job.id, host_id: host.id, status: "running", agent_job_id: run.command_id },
      {
        event_type: "host",
        job_id: job.id,
        host_id: host.id,
        status: "succeeded",
        agent_job_id: run.command_id,
        output: "line 1\n",
      },
    ]);
    expect(
      ofJob(all.frames)
        .filter((f) => f.event_type === "job")
        .at(-1),
    ).toEqual({
      event_type: "job",
      job_id: job.id,
      host_id: "",
      status: "succeeded",
      succeeded_count: 1,
      failed_count: 0,
      host_count: 1,
    });
    all.ws.close();
    mine.ws.close();
    agent.close();
  });

  it("a host's end and the job's end are pushed only once the API serves them (no stale read after the event)", async () => {
    const hosts = [await enrollHost(), await enrollHost()];
    const agents = await Promise.all(hosts.map((h) => connectAgent(h, { scripts: { stream: () => "hang" } })));
    const admin = await adminLogin();
    const job = (await (
      await call("/api/v1/jobs", {
        method: "POST",
        headers: bearer(admin),
        json: { kind: "script", script: "stream", host_ids: hosts.map((h) => h.id) },
      })
    ).json()) as { id: string };
    const ws = (await open(`ticket=${await ticket()}&job=${job.id}`)).webSocket;
    if (!ws) throw new Error("no socket");
    ws.accept();
    type Detail = { job: { status: string }; hosts: { host_id: string; status: string; stdout: string }[] };
    // What a client reading the job right after each event sees (the read starts when the event arrives).
    const seen: Promise<{ frame: { event_type: string; host_id: string }; detail: Detail }>[] = [];
    ws.addEventListener("message", (e) => {
      const frame = JSON.parse(String(e.data)) as { event_type: string; host_id: string; status: string };
      if (frame.event_type === "output" || frame.status !== "succeeded") return;
      seen.push(
        call(`/api/v1/jobs/${job.id}`, { headers: bearer(admin) }).then(async (r) => ({
          frame,
          detail: (await r.json()) as Detail,
        })),
      );
    });
    const runs = await Promise.all(agents.map((a) => a.waitFor((f) => f.type === "run")));
    for (const [i, run] of runs.entries()) {
      if (run.type !== "run") throw new Error("no run");
      agents[i]?.finish(run.command_id, { exit_code: 0, stdout: `done ${i}\n`, stderr: "" });
      // The first host's end waits for the write-back tick (an alarm; tests run alarms by hand).
      await eventually(
        async () =>
          (await jobStub(job.id).progress()).hosts.find((h) => h.host_id === hosts[i]?.id)?.status === "succeeded",
      );
      await runDurableObjectAlarm(jobStub(job.id));
      await eventually(async () => seen.length > i);
    }
    await eventually(async () => seen.length === 3);
    const reads = await Promise.all(seen);
    expect(reads.map((r) => r.frame.event_type)).toEqual(["host", "host", "job"]);
    for (const { frame, detail } of reads.slice(0, 2)) {
      const i = hosts.findIndex((h) => h.id === frame.host_id);
      expect(detail.hosts.find((h) => h.host_id === frame.host_id)).toMatchObject({
        status: "succeeded",
        stdout: `done ${i}\n`,
      });
    }
    expect(reads[2]?.detail.job.status).toBe("succeeded");
    ws.close();
    for (const a of agents) a.close();
  });

  it("a non-admin's all-jobs stream has every job's progress but no host output or errors", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { secret: () => ({ exit_code: 0, stdout: "s3cr3t\n" }) } });
    const op = await userWithRole("operator");
    const theirs = listen(await open(`ticket=${await ticket(op.session)}`));
    const mine = listen(await open(`ticket=${await ticket()}`));
    await eventually(async () => (await hub.subscribers())["*redacted"] !== undefined);
    const admin = await adminLogin();
    const job = (await (
      await call("/api/v1/jobs", {
        method: "POST",
        headers: bearer(admin),
        json: { kind: "script", script: "secret", host_ids: [host.id] },
      })
    ).json()) as { id: string };
    const done = (frames: Record<string, unknown>[]) =>
      frames.find((f) => f.job_id === job.id && f.event_type === "host" && f.status === "succeeded");
    await eventually(async () => done(theirs.frames) && done(mine.frames));
    expect(done(mine.frames)?.output).toBe("s3cr3t\n");
    expect(done(theirs.frames)).toEqual({
      event_type: "host",
      job_id: job.id,
      host_id: host.id,
      status: "succeeded",
      agent_job_id: expect.any(String),
    });
    theirs.ws.close();
    mine.ws.close();
    agent.close();
  });

  it("a cancel is pushed as a job event with status cancelled", async () => {
    const host = await enrollHost();
    const agent = await connectAgent(host, { scripts: { slow: () => "hang" } });
    const all = listen(await open(`ticket=${await ticket()}`));
    const admin = await adminLogin();
    const job = (await (
      await call("/api/v1/jobs", {
        method: "POST",
        headers: bearer(admin),
        json: { kind: "script", script: "slow", host_ids: [host.id] },
      })
    ).json()) as { id: string };
    await agent.waitFor((f) => f.type === "run");
    await call(`/api/v1/jobs/${job.id}/cancel`, { method: "POST", headers: bearer(admin) });
    const ev = await eventually(async () =>
      all.frames.find((f) => f.job_id === job.id && f.event_type === "job" && f.status === "cancelled"),
    );
    expect(ev).toMatchObject({ host_id: "", status: "cancelled", host_count: 1 });
    all.ws.close();
    agent.close();
  });
});
