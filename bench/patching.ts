// Patch-management micro-benchmarks, run by `pnpm bench patching` (or directly:
// `node --import tsx bench/patching.ts`). Prints JSON rows; nothing asserts.
//  - parsing a 3,000-package inventory (dpkg-query + apt-get -s output) and diffing it;
//  - the maintenance-window evaluator over 10,000 hosts (mixed zones and recurrences).
import { mayStartHost, nextHostStart, type WindowSpec } from "@fleetgate/contract/patching";
// The agent is not a dependency of the workspace root; its parsers are plain modules.
import { parseAptSimulation, parseDpkgQuery } from "../packages/agent/src/patch/apt-parse";
import { diffInventory } from "../packages/agent/src/patch/inventory";

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return { p50: +q(0.5).toFixed(2), p99: +q(0.99).toFixed(2) };
}

const PACKAGES = 3000;
const query = Array.from(
  { length: PACKAGES },
  (_, i) =>
    `pkg${i}:amd64\t${1 + (i % 7)}.${i}-${i % 3}+deb12u1\tamd64\tsrc${i >> 2}\t${1 + (i % 7)}.${i}-${i % 3}\tii `,
).join("\n");
const sim = Array.from(
  { length: 300 },
  (_, i) =>
    `Inst pkg${i * 10} [1.${i}-0] (1.${i}-1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])`,
).join("\n");

const parseSamples: number[] = [];
const diffSamples: number[] = [];
let prev = parseDpkgQuery(query);
for (let round = 0; round < 30; round++) {
  const t0 = performance.now();
  const packages = parseDpkgQuery(query);
  const pending = parseAptSimulation(sim);
  const t1 = performance.now();
  const changed = packages.map((p, i) => (i % 100 === round ? { ...p, version: `${p.version}.1` } : p));
  const diff = diffInventory(prev, {
    os: {
      id: "debian",
      id_like: [],
      family: "debian",
      version_id: "12",
      codename: "bookworm",
      pretty_name: "",
      kernel: "",
      arch: "",
    },
    packages: changed,
    updates: pending.updates,
    removals: pending.removals,
    reboot_required: false,
    reboot_reasons: [],
    lists_age_secs: null,
    collected_at: 0,
  });
  const t2 = performance.now();
  if (diff.upserted.length === 0 && round > 0) throw new Error("the diff found nothing");
  prev = changed;
  parseSamples.push(t1 - t0);
  diffSamples.push(t2 - t1);
}

const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo"];
const RECURRENCES = ["once", "daily", "weekly", "monthly"] as const;
const HOSTS = 10_000;
const windows: WindowSpec[] = Array.from({ length: HOSTS }, (_, i) => {
  const recurrence = RECURRENCES[i % 4] ?? "daily";
  return {
    recurrence,
    start_at: new Date(Date.UTC(2026, 0, 1 + (i % 28), i % 24, (i * 7) % 60)).toISOString(),
    duration_minutes: 30 + (i % 8) * 30,
    recurrence_day: recurrence === "weekly" ? i % 7 : recurrence === "monthly" ? 1 + (i % 31) : null,
    enabled: true,
    time_zone: ZONES[i % ZONES.length],
  };
});
const now = Date.UTC(2026, 2, 29, 1, 15); // a DST change day in Europe
const t3 = performance.now();
let open = 0;
for (const w of windows) if (mayStartHost(w, now, 30)) open++;
const t4 = performance.now();
let scheduled = 0;
for (const w of windows) if (nextHostStart(w, now, 30) !== null) scheduled++;
const t5 = performance.now();

console.log(
  JSON.stringify([
    {
      route: `in-process: parse ${PACKAGES}-package inventory + 300 pending`,
      "ms p50": stats(parseSamples).p50,
      "ms p99": stats(parseSamples).p99,
    },
    {
      route: `in-process: diff ${PACKAGES}-package inventory`,
      "ms p50": stats(diffSamples).p50,
      "ms p99": stats(diffSamples).p99,
    },
    { route: `in-process: window open? × ${HOSTS} hosts`, "ms total": +(t4 - t3).toFixed(1), open },
    { route: `in-process: next host start × ${HOSTS} hosts`, "ms total": +(t5 - t4).toFixed(1), scheduled },
  ]),
);
