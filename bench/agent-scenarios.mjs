// Fan-out scenarios (`pnpm bench agents`): N simulated agents (bench/agents.mjs,
// real WebSockets and protocol, one process) connected to the local control
// plane; time from the request to the moment every result is in, and results
// ingested per second. BENCH_AGENTS sets the fleet sizes (default "1000,5000",
// the two rows; "1000" skips the 5,000-agent row and its ~4 minutes of
// enrollment and connect). The fleet grows size by size (enroll and connect the
// hosts the next size adds, then its cells), so each size is measured with
// exactly that many agents connected. Each agent holds about 5 descriptors in workerd
// (bench/open-files.mjs): a size the open-file limit cannot hold is reported as
// not measurable, and the largest size it can hold (in steps of 500) is measured
// in its place.
import WebSocket from "ws";
import { connectAgents, enrollHosts, login } from "./agents.mjs";
import { agentCapacity, FDS_PER_AGENT, openFileLimits } from "./open-files.mjs";

const REQUESTED = (process.env.BENCH_AGENTS ?? "1000,5000").split(",").map(Number);
const CAPACITY = agentCapacity();
const TOO_MANY = REQUESTED.filter((n) => n > CAPACITY);
const LARGEST_FIT = Math.floor(CAPACITY / 500) * 500;
const SIZES = [
  ...new Set([...REQUESTED.filter((n) => n <= CAPACITY), ...(TOO_MANY.length && LARGEST_FIT > 0 ? [LARGEST_FIT] : [])]),
].sort((a, b) => a - b);
/** How long a fan-out job may run before the bench reports it as not ended (BENCH_JOB_TIMEOUT_S). */
const JOB_TIMEOUT_MS = Number(process.env.BENCH_JOB_TIMEOUT_S ?? 300) * 1000;
/** How the bench learns a job ended: "stream" (its WebSocket, default) or "poll" (the detail every 20 ms, as before session 6). */
const JOB_WATCH = process.env.BENCH_JOB_WATCH ?? "stream";

async function post(url, path, body, access) {
  const headers = { "content-type": "application/json" };
  if (access) headers.authorization = `Bearer ${access}`;
  const res = await fetch(`${url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export async function apiToken(url, access) {
  const r = await post(url, "/api/v1/tokens", { name: `bench-${Date.now()}` }, access);
  if (r.status !== 201) throw new Error(`token: ${r.status}`);
  return r.body.secret;
}

const row = (route, agents, ms, ok) => ({
  route,
  conc: agents,
  "req/s": null,
  "p50 ms": ms,
  "p99 ms": null,
  non2xx: agents - ok,
  errors: null,
  "results/s": Math.round((ok * 1000) / ms),
});

/** ctrl-exec sync /run: one request, the answer holds every host's result. */
export async function execSync(url, token, hosts) {
  const t0 = performance.now();
  const r = await post(url, "/run", { hosts: hosts.map((h) => h.name), script: "echo", args: ["bench"], token });
  const ms = Math.round(performance.now() - t0);
  const ok = r.status === 200 ? r.body.results.filter((x) => x.exit === 0).length : 0;
  return { ms, ok };
}

const ENDED = ["succeeded", "failed", "cancelled"];

async function jobDetail(url, access, id) {
  const res = await fetch(`${url}/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${access}` } });
  return (await res.json()).job;
}

/**
 * Resolves when the job's stream says it ended, as the dashboard and `fleetgate jobs watch` learn it
 * (a ticket, then the job's WebSocket: the server pushes, nobody polls); false after `timeoutMs`.
 */
async function streamedEnd(url, access, id, timeoutMs) {
  const t = await fetch(`${url}/api/v1/ws/ticket`, { method: "POST", headers: { authorization: `Bearer ${access}` } });
  const { ticket } = await t.json();
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/v1/ws/jobs?ticket=${ticket}&job=${id}`, {
    headers: { origin: url },
  });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      ws.on("message", (data) => {
        const f = JSON.parse(String(data));
        if (f.event_type === "job" && ENDED.includes(f.status)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      ws.once("error", reject);
      // The job may have ended before the stream opened: look once, after it is open.
      ws.once("open", async () => {
        if (ENDED.includes((await jobDetail(url, access, id)).status)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
  } finally {
    ws.close();
  }
}

/**
 * Native job with max_parallel = N, from the request to its end. `watch`: "stream" waits for the
 * job's end on its WebSocket stream (what `pnpm bench` measures); "poll" reads the job's detail
 * (every host's row and output) every 20 ms, which costs the server work of its own.
 */
export async function nativeJob(url, access, hosts, watch = "poll") {
  const t0 = performance.now();
  const r = await post(
    url,
    "/api/v1/jobs",
    { kind: "script", script: "echo", args: ["bench"], host_ids: hosts.map((h) => h.id), max_parallel: hosts.length },
    access,
  );
  if (r.status !== 200) throw new Error(`job: ${r.status} ${JSON.stringify(r.body)}`);
  const id = r.body.id;
  const finish = async (ended) => {
    const ms = Math.round(performance.now() - t0);
    const job = await jobDetail(url, access, id);
    if (ended) return { ms, ok: job.succeeded_count };
    // A job that does not end is a finding, not a reason to wait forever: report where it stood.
    const { hosts: _hosts, ...summary } = job;
    process.stderr.write(`[bench] job ${id} not ended after ${ms} ms: ${JSON.stringify(summary)}\n`);
    return { ms, ok: job.succeeded_count, timedOut: true };
  };
  if (watch === "stream") return finish(await streamedEnd(url, access, id, JOB_TIMEOUT_MS));
  for (;;) {
    const job = await jobDetail(url, access, id);
    if (ENDED.includes(job.status)) return { ms: Math.round(performance.now() - t0), ok: job.succeeded_count };
    if (performance.now() - t0 > JOB_TIMEOUT_MS) return finish(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const agentScenarios = [
  {
    name: "agents: fan-out to N simulated agents",
    run: async (ctx) => {
      const rows = [];
      for (const n of TOO_MANY) {
        const why = `open-file limit ${openFileLimits()?.soft} < ~${n * FDS_PER_AGENT} descriptors for ${n} agents`;
        ctx.progress?.(`${n} agents: not measurable here (${why}); measuring ${LARGEST_FIT} instead`);
        rows.push({ route: `native POST /jobs (max_parallel ${n}) → not measurable here`, conc: n, why });
      }
      const max = Math.max(...SIZES);
      const token = await apiToken(ctx.url, await login(ctx.url, ctx.admin.username, ctx.admin.password));
      // The fleet grows size by size, so each size's cells run with exactly that many agents
      // connected (the 1,000-agent rows with 1,000, not with the larger fleet beside them).
      const hosts = [];
      const fleets = [];
      try {
        for (const n of SIZES) {
          // A fresh access token per size: enrolling and connecting thousands of hosts can outlast one.
          const access = await login(ctx.url, ctx.admin.username, ctx.admin.password);
          const first = hosts.length === 0;
          const range = first ? "" : ` ${hosts.length + 1}–${n}`;
          const say = (what) => (done) => ctx.progress?.(`${what} ${hosts.length + done}/${n}`);
          let t0 = performance.now();
          const added = await enrollHosts(ctx.url, access, n - hosts.length, undefined, undefined, say("enrolled"));
          const enrollMs = Math.round(performance.now() - t0);
          rows.push({
            // conc: the hosts enrolled in this step (the route names the range).
            ...row(`enroll hosts${range} (admin enrollment + CSR)`, added.length, enrollMs, added.length),
            "results/s": null,
            "enroll/s": Math.round((added.length * 1000) / enrollMs),
          });
          t0 = performance.now();
          fleets.push(await connectAgents(ctx.url, added, undefined, undefined, say("connected")));
          const connectMs = Math.round(performance.now() - t0);
          rows.push({
            ...row(`connect agents${range} (proof + WebSocket + hello)`, added.length, connectMs, added.length),
            "results/s": null,
            "connect/s": Math.round((added.length * 1000) / connectMs),
          });
          hosts.push(...added);
          if (n <= 500) {
            const s = await execSync(ctx.url, token, hosts);
            rows.push(row("ctrl-exec sync POST /run → all results (max_parallel 64)", n, s.ms, s.ok));
          } else if (n <= 1000) {
            // ctrl-exec allows 500 hosts per request: two concurrent requests.
            const t = performance.now();
            const halves = await Promise.all([
              execSync(ctx.url, token, hosts.slice(0, n / 2)),
              execSync(ctx.url, token, hosts.slice(n / 2)),
            ]);
            const ms = Math.round(performance.now() - t);
            rows.push(row("ctrl-exec 2 × sync POST /run (500 each) → all results", n, ms, halves[0].ok + halves[1].ok));
            ctx.progress?.(`ctrl-exec 2 × 500: ${ms} ms`);
          }
          const j = await nativeJob(ctx.url, access, hosts, JOB_WATCH);
          const ended = j.timedOut ? "NOT ended (timed out)" : "job ended";
          rows.push(row(`native POST /jobs (max_parallel ${n}) → ${ended}`, n, j.ms, j.ok));
          ctx.progress?.(`job on ${n} agents: ${j.ms} ms`);
        }
        const duplicates = fleets.reduce((sum, f) => sum + f.stats.duplicates, 0);
        rows.push({ route: "agents: duplicate deliveries seen", conc: max, "req/s": duplicates });
      } finally {
        for (const f of fleets) f.close();
      }
      return rows;
    },
  },
];
