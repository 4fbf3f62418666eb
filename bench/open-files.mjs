// How many simulated agents this machine's open-file limit allows. Under `wrangler dev` each
// connected agent holds about 5 descriptors in the Worker's workerd (its socket, twice, and its
// HostChannel's SQLite database, WAL and shared-memory files) and about 4 in wrangler's proxy
// workerd in front of it (measured with 100 and 600 agents, session 6). Both inherit the bench's
// soft limit, which `pnpm bench` first raises to the hard one.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export const FDS_PER_AGENT = 5;
/** Descriptors the server needs besides the agents (D1, R2, the other Durable Objects, sockets of the bench). */
const RESERVED = 1000;

/** The soft and hard RLIMIT_NOFILE of this process (Linux); undefined where /proc is not there. */
export function openFileLimits() {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const [soft, hard] = (line ?? "")
      .trim()
      .split(/\s+/)
      .slice(3, 5)
      .map((v) => (v === "unlimited" ? Number.POSITIVE_INFINITY : Number(v)));
    return Number.isFinite(soft) || soft === Number.POSITIVE_INFINITY ? { soft, hard } : undefined;
  } catch {
    return undefined;
  }
}

/** The most agents one local control plane can hold under the current soft limit. */
export function agentCapacity() {
  const limits = openFileLimits();
  return limits ? Math.floor((limits.soft - RESERVED) / FDS_PER_AGENT) : Number.POSITIVE_INFINITY;
}

/**
 * Runs this script again with the soft limit raised to the hard one (a process cannot raise its own
 * from Node), once; returns the exit code to exit with, or undefined when nothing was to be raised.
 */
export function rerunWithRaisedLimit() {
  const limits = openFileLimits();
  if (!limits || limits.soft >= limits.hard || process.env.BENCH_NOFILE_RAISED) return undefined;
  const hard = limits.hard === Number.POSITIVE_INFINITY ? "unlimited" : String(limits.hard);
  const r = spawnSync(
    "sh",
    ["-c", `ulimit -n ${hard} && exec "$@"`, "sh", process.execPath, ...process.argv.slice(1)],
    {
      stdio: "inherit",
      env: { ...process.env, BENCH_NOFILE_RAISED: "1" },
    },
  );
  return r.status ?? 1;
}
