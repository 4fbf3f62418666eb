// `pnpm bench [filter]`: starts the local control plane on a free loopback port
// with fresh state, runs each scenario with autocannon at fixed concurrency
// levels, and prints req/s, p50 and p99 per route. Figures only; nothing asserts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { freePort, migrateLocal, startLocalServer } from "../scripts/lib/local-server.mjs";
import { rerunWithRaisedLimit } from "./open-files.mjs";
import { patchingAgentScenarios } from "./patching-agents.bench.mjs";
import { reportScenarios } from "./reports.bench.mjs";
import { scenarios } from "./scenarios.mjs";
import { issueTable } from "./summary.mjs";
import { taskScenarios } from "./tasks.bench.mjs";

// Thousands of agents need thousands of descriptors in workerd (bench/open-files.mjs).
const rerun = rerunWithRaisedLimit();
if (rerun !== undefined) process.exit(rerun);

const filter = process.argv[2];
// One concurrency level by default (the issue's table is at c=10); BENCH_CONCURRENCY="1,16,64" for curves.
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "10").split(",").map(Number);
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
// The task/export scenarios are not in the issue's table: `pnpm bench tasks` or BENCH_TASKS=1.
const WITH_TASKS = process.env.BENCH_TASKS === "1" || (filter ?? "").includes("task");
// Reports of 10,000 hosts (CSV, PDF; time and peak memory): `pnpm bench reports` or BENCH_REPORTS=1.
const WITH_REPORTS = process.env.BENCH_REPORTS === "1" || (filter ?? "").includes("report");
// One patch job across 500 simulated agents (BENCH_PATCH_AGENTS): `pnpm bench patching` or BENCH_PATCHING=1.
const WITH_PATCHING = process.env.BENCH_PATCHING === "1" || (filter ?? "").includes("patching");
const ADMIN = { username: "admin", password: "Bench-Admin-Pass-1!" };

const dir = mkdtempSync(path.join(tmpdir(), "fleetgate-bench-"));
migrateLocal(dir);
const server = await startLocalServer({
  port: await freePort(),
  persistTo: dir,
  vars: {
    MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
    PASSWORD_PEPPER: Buffer.alloc(32, 9).toString("base64"),
    FLEETGATE_ADMIN_USERNAME: ADMIN.username,
    FLEETGATE_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "warn",
    // The exchange bench sends hundreds of exchanges a minute to one issuer.
    TOKEN_EXCHANGE_RATE_LIMIT: "1000000",
  },
});

/** Progress on stderr (the tables go to stdout at the end): a stalled phase shows where it stalled. */
function progress(line) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function load(opts, connections) {
  return new Promise((resolve, reject) => {
    autocannon({ ...opts, connections, duration: DURATION }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const rows = [];
const ctx = { url: server.url, admin: ADMIN, server, persistDir: dir, progress };
try {
  for (const s of [
    ...scenarios,
    ...(WITH_TASKS ? taskScenarios : []),
    ...(WITH_REPORTS ? reportScenarios : []),
    ...(WITH_PATCHING ? patchingAgentScenarios : []),
  ]) {
    if (filter && !s.name.includes(filter)) continue;
    const started = performance.now();
    progress(`${s.name} …`);
    // Scenarios that are not request floods measure themselves and return rows.
    if (s.run) {
      rows.push(...(await s.run(ctx)));
      progress(`${s.name}: done in ${Math.round((performance.now() - started) / 1000)} s`);
      continue;
    }
    const opts = await s.prepare(ctx);
    for (const c of s.concurrency ?? CONCURRENCY) {
      const r = await load({ url: `${server.url}${opts.path}`, ...opts }, c);
      rows.push({
        route: s.name,
        conc: c,
        "req/s": Math.round(r.requests.average),
        "p50 ms": r.latency.p50,
        "p99 ms": r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
      });
      ctx[`${s.name}@${c}`] = r.requests.average;
    }
    if (s.after) rows.push(...(await s.after(ctx)));
    progress(`${s.name}: done in ${Math.round((performance.now() - started) / 1000)} s`);
  }
  console.log(
    `\nFleetgate bench — ${DURATION}s per cell, wrangler dev (workerd) on 127.0.0.1, 2-core machine, ` +
      `local state in ${dir} (TMPDIR=/dev/shm keeps it in memory: every Durable Object commit fsyncs on workerd's one thread)\n`,
  );
  console.table(rows);
  if (!filter) {
    console.log("\nIssue 10 table (ratios from this run):\n");
    console.table(issueTable(rows, CONCURRENCY.includes(10) ? 10 : CONCURRENCY[0]));
  }
} catch (err) {
  // What was measured before the failure is still figures; and the server's last words say why.
  console.log("\nFleetgate bench — stopped by an error; the rows measured before it:\n");
  console.table(rows);
  process.stderr.write(`[bench] server output (tail):\n${server.output?.().slice(-4000) ?? ""}\n`);
  throw err;
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
