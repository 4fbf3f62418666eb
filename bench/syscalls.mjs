// Counts a process's file-sync system calls while a function runs (`strace -c`), for
// bench/profile.mjs with BENCH_SYSCALLS=1. Under `wrangler dev` every Durable Object's SQLite
// and the local D1 commit to files, and each commit's fsync blocks workerd's one thread: the
// count per host is the storage cost a change of the code moves, whatever the disk's speed.
// Needs strace (Debian: apt-get install strace) and the right to trace the process.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const TRACED = ["fsync", "fdatasync"];

/** Whether strace can be run here. */
export function straceAvailable() {
  return spawnSync("strace", ["-V"]).status === 0;
}

/**
 * Runs `fn` while strace counts `TRACED` calls of every thread of `pid`:
 * `{ out, calls: {fsync, fdatasync}, byStore }`. `byStore` (only with `byFile`) splits the calls by
 * the storage they synced: each Durable Object class's SQLite files, and D1.
 */
export async function countSyncCalls(pid, fn, byFile = false) {
  const file = path.join(tmpdir(), `fleetgate-strace-${pid}-${Date.now()}.txt`);
  const threads = readdirSync(`/proc/${pid}/task`).flatMap((t) => ["-p", t]);
  const mode = byFile ? ["-y", "-qq"] : ["-c"];
  const tracer = spawn("strace", ["-f", ...mode, "-e", `trace=${TRACED.join(",")}`, "-o", file, ...threads], {
    stdio: "ignore",
  });
  const exited = new Promise((resolve) => tracer.once("exit", resolve));
  // strace attaches within a few ms; give it time before the measured work starts.
  await new Promise((resolve) => setTimeout(resolve, 500));
  let out;
  try {
    out = await fn();
  } finally {
    tracer.kill("SIGINT");
    await exited;
  }
  const calls = Object.fromEntries(TRACED.map((name) => [name, 0]));
  const byStore = {};
  try {
    if (byFile) {
      // One line per call: `<tid> fsync(<fd><path>) = 0`.
      for (const line of readFileSync(file, "utf8").split("\n")) {
        const m = /(fsync|fdatasync)\(\d+<([^>]*)>/.exec(line);
        if (!m) continue;
        calls[m[1]]++;
        const store = storeOf(m[2]);
        byStore[store] = (byStore[store] ?? 0) + 1;
      }
      return { out, calls, byStore };
    }
    // The summary's rows: "% time  seconds  usecs/call  calls  errors  syscall".
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const cols = line.trim().split(/\s+/);
      const name = cols[cols.length - 1] ?? "";
      if (name in calls) calls[name] = Number(cols[3]);
    }
  } finally {
    rmSync(file, { force: true });
  }
  return { out, calls };
}

/** Which storage a synced file belongs to: Miniflare keeps D1 and each DO class under its own folder. */
function storeOf(file) {
  const d1 = /\/d1\//.test(file) || /D1DatabaseObject/.test(file);
  if (d1) return "D1";
  const m = /\/([A-Za-z0-9_-]*(?:HostChannel|JobRun|EventHub|AuditSequencer|Sequencer)[A-Za-z0-9_-]*)\//.exec(file);
  return m?.[1] ?? file.replace(/[0-9a-f]{64}/g, "<id>");
}
