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

/** Runs `fn` while strace counts `TRACED` calls of every thread of `pid`: `{ out, calls: {fsync, fdatasync} }`. */
export async function countSyncCalls(pid, fn) {
  const file = path.join(tmpdir(), `fleetgate-strace-${pid}-${Date.now()}.txt`);
  const threads = readdirSync(`/proc/${pid}/task`).flatMap((t) => ["-p", t]);
  const tracer = spawn("strace", ["-f", "-c", "-e", `trace=${TRACED.join(",")}`, "-o", file, ...threads], {
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
  try {
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
