// Prints size and start-up time (`--version`, median of N runs) of the agent distributions that
// can be built here, for docs/agent-distribution.md. A measurement script, not a test.
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { buildCodeCacheVariant, buildSea, releaseDir } from "./build-sea.mjs";
import { hostTarget, nodeRuntime } from "./runtimes.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const runs = Math.min(Number(process.env.RUNS ?? 15), 50);

function median(command, args) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    execFileSync(command, args, { stdio: "ignore" });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

await buildSea();
const target = hostTarget();
const runtime = await nodeRuntime(target);
const codeCache = await buildCodeCacheVariant();
const sea = path.join(releaseDir, `fleetgate-agent-${target}`);
const esm = path.join(root, "dist", "fleetgate-agent.mjs");
execFileSync(process.execPath, ["build.mjs"], { cwd: root, stdio: "ignore" });

const rows = [
  ["SEA (chosen)", sea, [sea, ["--version"]], statSync(sea).size],
  ["SEA + V8 code cache", codeCache, [codeCache, ["--version"]], statSync(codeCache).size],
  ["ESM bundle on pinned Node", esm, [runtime, [esm, "--version"]], statSync(esm).size + statSync(runtime).size],
  ["ESM bundle on system Node", esm, [process.execPath, [esm, "--version"]], statSync(esm).size],
];
process.stdout.write(`| variant | bytes on host | start-up (--version, median of ${runs}) |\n|---|---|---|\n`);
for (const [name, , [cmd, args], size] of rows)
  process.stdout.write(`| ${name} | ${size} | ${median(cmd, args).toFixed(0)} ms |\n`);
