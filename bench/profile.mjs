// `node bench/profile.mjs [job|exec|connect|enroll|me|cert]`: a CPU profile of the local
// control plane's isolate (every Durable Object and the Worker share one isolate
// under `wrangler dev`) while one fan-out runs, taken through the DevTools
// protocol. Prints self and inclusive time per function (top 40) and writes the
// `.cpuprofile` (open it in Chrome DevTools) to $BENCH_PROFILE_OUT or the temp dir.
// BENCH_AGENTS sets the fleet size (default 1000). BENCH_FLEET_DIR keeps the local
// state and the enrolled hosts' keys there, so the next run skips enrollment
// (compare two versions of the code on the same fleet). BENCH_SYSCALLS=1 also counts the
// Worker workerd's fsync/fdatasync calls during the measured cell (strace; bench/syscalls.mjs).
// Figures only; nothing asserts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import WebSocket from "ws";
import { freePort, migrateLocal, startLocalServer } from "../scripts/lib/local-server.mjs";
import { apiToken, execSync, nativeJob } from "./agent-scenarios.mjs";
import { connectAgents, enrollHosts, login } from "./agents.mjs";
import { countSyncCalls, straceAvailable } from "./syscalls.mjs";

const what = process.argv[2] ?? "job";
const N = Number(process.env.BENCH_AGENTS ?? 1000);
const ADMIN = { username: "admin", password: "Bench-Admin-Pass-1!" };

/** A minimal DevTools client: send(method, params) → result. */
async function devtools(port) {
  const list = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = list.find((t) => t.webSocketDebuggerUrl) ?? list[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let id = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const m = JSON.parse(String(data));
    const p = m.id !== undefined ? pending.get(m.id) : undefined;
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`${m.error.message}`));
    else p.resolve(m.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const msgId = ++id;
        pending.set(msgId, { resolve, reject });
        ws.send(JSON.stringify({ id: msgId, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Self and inclusive milliseconds per function (`name url:line`), from samples and time deltas. */
function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n) => {
    const f = n.callFrame;
    const file = f.url ? f.url.replace(/^.*\//, "") : "";
    return `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
  };
  const self = new Map();
  const total = new Map();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    all += ms;
    const n = byId.get(id);
    self.set(key(n), (self.get(key(n)) ?? 0) + ms);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + ms);
    }
  });
  const top = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)
      .map(([fn, ms]) => ({ fn: fn.slice(0, 110), ms: Math.round(ms), "%": +((100 * ms) / all).toFixed(1) }));
  return { all: Math.round(all), self: top(self), total: top(total) };
}

/**
 * CPU time (user + system, ms) used so far by the local server's processes (wrangler and workerd,
 * one process group): unlike wall time, it hardly depends on what else runs on a shared machine.
 */
function serverCpuMs(pgid) {
  const hz = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // After the command: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return (ticks * 1000) / hz;
}
const cpuAvailable = existsSync("/proc/self/stat");

/**
 * The same CPU time split by process and into user/system time: `wrangler dev` runs its Node
 * process, a proxy workerd (the port clients connect to, in front of the Worker: every HTTP
 * request and WebSocket frame passes it) and the Worker's workerd (every Durable Object, D1).
 */
function serverCpuByProcess(pgid) {
  const hz = 100;
  const out = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) !== pgid) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const role = !cmd.includes("workerd")
        ? "wrangler (node)"
        : cmd.includes("--inspector-addr")
          ? "workerd (Worker, DOs, D1)"
          : "workerd (proxy)";
      const cur = out.get(role) ?? { user: 0, sys: 0 };
      cur.user += (Number(f[11]) * 1000) / hz;
      cur.sys += (Number(f[12]) * 1000) / hz;
      out.set(role, cur);
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/** The pid of the Worker's workerd (the one with the inspector) in the server's process group. */
function workerPid(pgid) {
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) !== pgid) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--inspector-addr")) return Number(pid);
    } catch {
      // The process ended meanwhile.
    }
  }
  throw new Error("the Worker's workerd was not found");
}

/** Per-process CPU used between two `serverCpuByProcess` readings, as table rows. */
function cpuSplit(before, after, perUnit) {
  return [...after.entries()].map(([role, a]) => {
    const b = before.get(role) ?? { user: 0, sys: 0 };
    const user = Math.round(a.user - b.user);
    const sys = Math.round(a.sys - b.sys);
    return {
      process: role,
      "user ms": user,
      "sys ms": sys,
      [`ms per ${perUnit.name}`]: +((user + sys) / perUnit.n).toFixed(2),
    };
  });
}

/**
 * The bench's native job (`nativeJob` of agent-scenarios.mjs: `POST /jobs`, max_parallel N, then
 * `GET /jobs/{id}` every 20 ms until it ended), counting the polls. `BENCH_POLL_MS` polls less
 * often, so that the server CPU measured is mostly the fan-out's own.
 */
async function polledJob(url, access, hosts, pollMs) {
  if (pollMs === 20) return nativeJob(url, access, hosts);
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${access}` },
    body: JSON.stringify({
      kind: "script",
      script: "echo",
      args: ["bench"],
      host_ids: hosts.map((h) => h.id),
      max_parallel: hosts.length,
    }),
  });
  const job = await res.json();
  if (res.status !== 200) throw new Error(`job: ${res.status} ${JSON.stringify(job)}`);
  for (let polls = 1; ; polls++) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const d = await (
      await fetch(`${url}/api/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${access}` } })
    ).json();
    if (["succeeded", "failed", "cancelled"].includes(d.job.status)) {
      return { ms: Math.round(performance.now() - t0), ok: d.job.succeeded_count, polls };
    }
  }
}
const pollMs = Number(process.env.BENCH_POLL_MS ?? 20);

const cacheDir = process.env.BENCH_FLEET_DIR;
const dir = cacheDir ?? mkdtempSync(path.join(tmpdir(), "fleetgate-profile-"));
if (cacheDir) mkdirSync(cacheDir, { recursive: true });
const fleetFile = path.join(dir, `hosts-${N}.json`);
migrateLocal(dir);

async function saveHosts(hosts) {
  const out = [];
  for (const h of hosts) {
    out.push({ ...h, keys: await crypto.subtle.exportKey("jwk", h.keys.privateKey) });
  }
  writeFileSync(fleetFile, JSON.stringify(out));
}

async function loadHosts() {
  const saved = JSON.parse(readFileSync(fleetFile, "utf8"));
  const alg = { name: "ECDSA", namedCurve: "P-256" };
  return Promise.all(
    saved.map(async (h) => ({
      ...h,
      keys: { privateKey: await crypto.subtle.importKey("jwk", h.keys, alg, false, ["sign"]) },
    })),
  );
}

async function fleetHosts(url, access) {
  if (cacheDir && existsSync(fleetFile)) return loadHosts();
  const hosts = await enrollHosts(url, access, N);
  if (cacheDir) await saveHosts(hosts);
  return hosts;
}
const inspectorPort = await freePort();
const server = await startLocalServer({
  port: await freePort(),
  persistTo: dir,
  inspectorPort,
  vars: {
    MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
    PASSWORD_PEPPER: Buffer.alloc(32, 9).toString("base64"),
    FLEETGATE_ADMIN_USERNAME: ADMIN.username,
    FLEETGATE_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "warn",
  },
});
let fleet;
try {
  const access = await login(server.url, ADMIN.username, ADMIN.password);
  const token = await apiToken(server.url, access);
  const dt = await devtools(inspectorPort);
  await dt.send("Profiler.enable");
  await dt.send("Profiler.setSamplingInterval", { interval: 500 });
  const pgid = server.child.pid ?? 0;
  const syscalls = ["1", "files"].includes(process.env.BENCH_SYSCALLS ?? "") && cpuAvailable && straceAvailable();
  // BENCH_SYSCALLS=files: also by the storage synced (D1, each Durable Object class); slower.
  const bySyncedFile = process.env.BENCH_SYSCALLS === "files";
  /** Runs `fn`; its wall time and the server's CPU time meanwhile (and its file syncs with BENCH_SYSCALLS=1). */
  const measured = async (fn) => {
    const cpu0 = cpuAvailable ? serverCpuMs(pgid) : 0;
    const split0 = cpuAvailable ? serverCpuByProcess(pgid) : new Map();
    const t0 = performance.now();
    let out;
    let syncs;
    let byStore;
    if (syscalls) ({ out, calls: syncs, byStore } = await countSyncCalls(workerPid(pgid), fn, bySyncedFile));
    else out = await fn();
    const ms = Math.round(performance.now() - t0);
    const cpuMs = cpuAvailable ? Math.round(serverCpuMs(pgid) - cpu0) : null;
    const split = cpuAvailable ? { before: split0, after: serverCpuByProcess(pgid) } : undefined;
    return { out, ms, cpuMs, split, syncs, byStore };
  };
  // BENCH_PROFILE=0: figures only (wall and server CPU), without the sampler's own overhead.
  const sampling = process.env.BENCH_PROFILE !== "0";
  const profiled = async (fn) => {
    if (!sampling) return measured(fn);
    await dt.send("Profiler.start");
    const run = await measured(fn);
    const { profile } = await dt.send("Profiler.stop");
    return { ...run, profile };
  };
  let run;
  if (what === "me") {
    // `GET /health` then `GET /api/v1/users/me`, 5 s each at c=10 (the request-path cell, its
    // ratio from the same run); only users/me is profiled.
    const flood = (urlPath, headers = {}) =>
      new Promise((resolve, reject) =>
        autocannon({ url: `${server.url}${urlPath}`, headers, connections: 10, duration: 5 }, (err, r) =>
          err ? reject(err) : resolve(r),
        ),
      );
    const health = await measured(() => flood("/health"));
    run = await profiled(() => flood("/api/v1/users/me", { authorization: `Bearer ${access}` }));
    const me = run.out.requests.average;
    console.log(
      `/health ${Math.round(health.out.requests.average)} req/s, users/me ${Math.round(me)} req/s ` +
        `(non-2xx ${run.out.non2xx}): ratio ${(me / health.out.requests.average).toFixed(2)}`,
    );
    if (health.cpuMs !== null && run.cpuMs !== null) {
      // Server CPU per request: the ratio a quiet machine would show when the server is CPU-bound
      // (req/s at equal CPU), far less disturbed by other load than the req/s ratio. users/me's
      // figure includes the profiler's sampling overhead, so it is a lower bound.
      const perHealth = health.cpuMs / health.out.requests.total;
      const perMe = run.cpuMs / run.out.requests.total;
      console.log(
        `server CPU per request: /health ${perHealth.toFixed(2)} ms, users/me ${perMe.toFixed(2)} ms: ` +
          `CPU ratio ${(perHealth / perMe).toFixed(2)}`,
      );
    }
  } else if (what === "cert") {
    // `GET /health` then Ziti session certificates (`POST /edge/client/v1/current-api-session/certificates`,
    // bench/scenarios.mjs's cell, its sessions and CSRs made beforehand), 5 s each at c=10; only the
    // certificates are profiled.
    const { scenarios } = await import("./scenarios.mjs");
    const cell = scenarios.find((s) => s.name.includes("current-api-session/certificates"));
    const opts = await cell.prepare({ url: server.url, admin: ADMIN });
    const flood = (o) =>
      new Promise((resolve, reject) =>
        autocannon({ url: `${server.url}${o.path}`, ...o, connections: 10, duration: 5 }, (err, r) =>
          err ? reject(err) : resolve(r),
        ),
      );
    const health = await measured(() => flood({ path: "/health" }));
    run = await profiled(() => flood(opts));
    const certs = run.out.requests.average;
    console.log(
      `/health ${Math.round(health.out.requests.average)} req/s, session certificates ${Math.round(certs)}/s ` +
        `(non-2xx ${run.out.non2xx}): ratio ${(certs / health.out.requests.average).toFixed(2)}`,
    );
    if (health.cpuMs !== null && run.cpuMs !== null) {
      const perHealth = health.cpuMs / health.out.requests.total;
      const perCert = run.cpuMs / run.out.requests.total;
      console.log(
        `server CPU per request: /health ${perHealth.toFixed(2)} ms, certificate ${perCert.toFixed(2)} ms: ` +
          `CPU ratio ${(perHealth / perCert).toFixed(2)}`,
      );
    }
  } else if (what === "enroll") {
    run = await profiled(() => enrollHosts(server.url, access, N));
  } else {
    const hosts = await fleetHosts(server.url, access);
    if (what === "connect") {
      run = await profiled(async () => {
        fleet = await connectAgents(server.url, hosts);
      });
    } else {
      fleet = await connectAgents(server.url, hosts);
      run =
        what === "exec"
          ? await profiled(() =>
              Promise.all([
                execSync(server.url, token, hosts.slice(0, N / 2)),
                execSync(server.url, token, hosts.slice(N / 2)),
              ]),
            )
          : await profiled(() => polledJob(server.url, access, hosts, pollMs));
      if (run.out?.polls !== undefined) console.log(`job polled ${run.out.polls} times (every ${pollMs} ms)`);
      if (what === "job") {
        // What the bench's own polling of the job (GET /api/v1/jobs/{id} every 20 ms) costs the server.
        const jobs = await (
          await fetch(`${server.url}/api/v1/jobs`, { headers: { authorization: `Bearer ${access}` } })
        ).json();
        const id = jobs.jobs?.[0]?.id ?? jobs.items?.[0]?.id ?? jobs[0]?.id;
        if (id) {
          const polls = await measured(async () => {
            for (let i = 0; i < 50; i++) {
              await (
                await fetch(`${server.url}/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${access}` } })
              ).arrayBuffer();
            }
          });
          if (polls.cpuMs !== null)
            console.log(`one poll of the ${N}-host job's detail: ${(polls.cpuMs / 50).toFixed(1)} ms server CPU`);
        }
      }
    }
  }
  dt.close();
  const cpu = run.cpuMs === null ? "" : `, ${run.cpuMs} ms server CPU`;
  if (run.split && (what === "job" || what === "exec" || what === "connect" || what === "enroll")) {
    console.log(`\nserver CPU by process (${what}, ${N} hosts; load average ${loadavg()[0].toFixed(1)}):`);
    console.table(cpuSplit(run.split.before, run.split.after, { name: "host", n: N }));
  }
  if (run.split && what === "cert") {
    const n = run.out.requests.total;
    console.log(`\nserver CPU by process (${n} session certificates; load average ${loadavg()[0].toFixed(1)}):`);
    console.table(cpuSplit(run.split.before, run.split.after, { name: "certificate", n }));
  }
  if (!run.profile) {
    console.log(`\n${what}, ${N} agents: ${run.ms} ms wall${cpu} (not sampled: BENCH_PROFILE=0)`);
  }
  if (run.syncs) {
    const total = run.syncs.fsync + run.syncs.fdatasync;
    console.log(
      `Worker workerd file syncs during the cell: fsync ${run.syncs.fsync}, fdatasync ${run.syncs.fdatasync} ` +
        `(${(total / N).toFixed(2)} per host)`,
    );
    if (run.byStore) {
      console.table(
        Object.entries(run.byStore).map(([store, n]) => ({ store, syncs: n, "per host": +(n / N).toFixed(2) })),
      );
    }
  }
  const file = process.env.BENCH_PROFILE_OUT ?? path.join(tmpdir(), `fleetgate-${what}-${N}.cpuprofile`);
  if (run.profile) {
    writeFileSync(file, JSON.stringify(run.profile));
    const s = summarize(run.profile);
    console.log(
      `\n${what}, ${N} agents: ${run.ms} ms wall${cpu}, ${s.all} ms sampled in the isolate; profile: ${file}\n`,
    );
    console.log("self time");
    console.table(s.self);
    console.log("inclusive time");
    console.table(s.total);
  }
} finally {
  fleet?.close();
  await server.stop();
  if (!cacheDir) rmSync(dir, { recursive: true, force: true });
}
