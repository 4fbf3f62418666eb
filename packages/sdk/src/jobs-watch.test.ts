import { describe, expect, it } from "vitest";
import { type WatchDeps, type WatchEvent, watchJob } from "./jobs-watch";
import type { SocketHandlers } from "./socket";
import type { JobDetail, JobHostRow } from "./types";

const H1 = "11111111-1111-4111-8111-111111111111";
const H2 = "22222222-2222-4222-8222-222222222222";

function row(hostId: string, name: string, status: JobHostRow["status"], stdout = "", stderr = ""): JobHostRow {
  return {
    id: `${hostId}-row`,
    host_id: hostId,
    host_name: name,
    display_name: name,
    host_display_name: name,
    status,
    agent_job_id: null,
    retry_count: 0,
    exit_code: status === "succeeded" ? 0 : status === "failed" ? 1 : null,
    output: stdout,
    stdout,
    stderr,
    output_truncated: false,
    error_message: null,
    last_error: null,
    started_at: null,
    completed_at: null,
  };
}

function job(status: JobDetail["job"]["status"], hosts: JobHostRow[]): JobDetail {
  return {
    job: {
      id: "j1",
      reqid: "0123456789abcdef",
      kind: "script",
      status,
      created_by_user_id: null,
      parent_job_id: null,
      maintenance_window_id: null,
      immediate: true,
      notes: "",
      script: "uptime",
      args: [],
      mode: "async",
      options: {},
      host_count: hosts.length,
      succeeded_count: hosts.filter((h) => h.status === "succeeded").length,
      failed_count: hosts.filter((h) => h.status === "failed").length,
      created_at: "2026-06-02T10:11:12.123Z",
      started_at: null,
      completed_at: null,
    },
    hosts,
  };
}

type Script = (h: SocketHandlers) => void;

/** Connections scripted one by one; each script drives the handlers after the socket opened. */
function fakeDeps(scripts: Script[], jobs: JobDetail[], outputs: Record<string, string> = {}) {
  const tickets: string[] = [];
  const origins: string[] = [];
  let conn = 0;
  let reads = 0;
  const deps: WatchDeps = {
    wsUrl: (t) => `ws://fg.test/api/v1/ws/jobs?ticket=${t}&job=j1`,
    origin: "http://fg.test",
    socket: (url, origin, h) => {
      tickets.push(new URL(url).searchParams.get("ticket") ?? "");
      origins.push(origin);
      const script = scripts[conn++];
      queueMicrotask(() => {
        h.open();
        script?.(h);
      });
      return { close: () => undefined };
    },
    ticket: async () => `t${tickets.length + 1}`,
    getJob: async () => {
      const j = jobs[Math.min(reads, jobs.length - 1)];
      reads++;
      if (!j) throw new Error("no job");
      return j;
    },
    getOutput: async (hostId, stream) => outputs[`${hostId}:${stream}`] ?? "",
  };
  return { deps, tickets, origins };
}

const out = (host: string, stream: "stdout" | "stderr", seq: number, data: string) =>
  JSON.stringify({ event_type: "output", job_id: "j1", host_id: host, stream, seq, data });
const hostEv = (host: string, status: string, output?: string) =>
  JSON.stringify({
    event_type: "host",
    job_id: "j1",
    host_id: host,
    status,
    ...(output === undefined ? {} : { output }),
  });
const jobEv = (status: string) => JSON.stringify({ event_type: "job", job_id: "j1", host_id: "", status });

async function collect(gen: AsyncGenerator<WatchEvent>): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  for await (const e of gen) events.push(e);
  return events;
}

const text = (events: WatchEvent[], host: string, stream: "stdout" | "stderr") =>
  events
    .filter((e) => e.type === "output" && e.host_id === host && e.stream === stream)
    .map((e) => (e.type === "output" ? e.data : ""))
    .join("");

describe("jobs.watch", () => {
  it("streams output in order, drops repeated chunks and ends with the final job", async () => {
    const { deps, origins } = fakeDeps(
      [
        (h) => {
          h.message(hostEv(H1, "running"));
          h.message(out(H1, "stdout", 0, "a"));
          h.message(out(H1, "stdout", 0, "a"));
          h.message(out(H1, "stdout", 1, "b"));
          h.message("not json");
          h.message(hostEv(H1, "succeeded", "ab"));
          h.message(jobEv("succeeded"));
        },
      ],
      [job("running", [row(H1, "web-1", "pending")]), job("succeeded", [row(H1, "web-1", "succeeded", "ab")])],
    );
    const events = await collect(watchJob(deps));
    expect(events.map((e) => e.type)).toEqual(["snapshot", "host", "output", "output", "host", "done"]);
    expect(text(events, H1, "stdout")).toBe("ab");
    expect(origins).toEqual(["http://fg.test"]);
    const done = events.at(-1);
    expect(done?.type === "done" && done.job.hosts[0]?.exit_code).toBe(0);
  });

  it("reconnects with a fresh ticket and completes output missed while away, without repeats", async () => {
    const { deps, tickets } = fakeDeps(
      [
        (h) => {
          h.message(hostEv(H1, "running"));
          h.message(hostEv(H2, "running"));
          h.message(out(H1, "stdout", 0, "one\n"));
          h.message(out(H2, "stderr", 0, "warn\n"));
          h.close(1006, "gone");
        },
        (h) => {
          // After the reconnect: H1's later chunk arrives again (already covered) and the job ends.
          h.message(out(H1, "stdout", 1, "two\n"));
          h.message(jobEv("failed"));
        },
      ],
      [
        job("running", [row(H1, "web-1", "pending"), row(H2, "web-2", "pending")]),
        // The second read (after the reconnect): H2 ended while we were away.
        job("running", [row(H1, "web-1", "running"), row(H2, "web-2", "failed", "", "warn\nboom\n")]),
        job("failed", [
          row(H1, "web-1", "succeeded", "one\ntwo\nthree\n"),
          row(H2, "web-2", "failed", "", "warn\nboom\n"),
        ]),
      ],
    );
    const events = await collect(watchJob(deps, { maxReconnects: 3 }));
    expect(tickets).toEqual(["t1", "t2"]);
    expect(events.some((e) => e.type === "reconnecting")).toBe(true);
    expect(text(events, H1, "stdout")).toBe("one\ntwo\nthree\n");
    expect(text(events, H2, "stderr")).toBe("warn\nboom\n");
    const statuses = events
      .filter((e) => e.type === "host")
      .map((e) => (e.type === "host" ? `${e.host_name}:${e.status}` : ""));
    expect(statuses).toEqual(["web-1:running", "web-2:running", "web-2:failed", "web-1:succeeded"]);
    expect(events.at(-1)?.type).toBe("done");
  });

  it("gives up after too many failed connections", async () => {
    const { deps } = fakeDeps([], [job("running", [])]);
    deps.socket = (_u, _o, h) => {
      queueMicrotask(() => h.close(1006, "refused"));
      return { close: () => undefined };
    };
    await expect(collect(watchJob(deps, { maxReconnects: 1 }))).rejects.toMatchObject({ code: "ws_closed" });
  });

  it("stops when aborted", async () => {
    const { deps } = fakeDeps([() => undefined], [job("running", [row(H1, "web-1", "running")])]);
    const ac = new AbortController();
    const gen = watchJob(deps, { signal: ac.signal });
    const first = await gen.next();
    expect(first.value?.type).toBe("snapshot");
    ac.abort(new Error("interrupted"));
    const rest = (async () => {
      for await (const e of gen) expect(e.type).toBe("host");
    })();
    await expect(rest).rejects.toThrow("interrupted");
  });
});
