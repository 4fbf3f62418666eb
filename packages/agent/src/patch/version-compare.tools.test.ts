import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compareDpkgVersions, compareRpmVersions, parseDpkgVersion, parseRpmEvr } from "@fleetgate/contract/patching";
import { describe, expect, it } from "vitest";

/**
 * The TypeScript orderings against the real tools, on hand-picked edge cases plus seeded random
 * pairs. Skips (with a printed reason) only where the tool is not installed.
 */
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

const EDGE = [
  "0",
  "1",
  "1.0",
  "1.00",
  "1.0.0",
  "1.0a",
  "1.0+",
  "1.0~",
  "1.0~~",
  "1.0~rc1",
  "1.0~rc1-1",
  "1.0-1",
  "1.0-1~bpo1",
  "1.0-1+b1",
  "1:0.9",
  "2:0",
  "1.0-0",
  "1.01",
  "1.a",
  "1.A",
  "1.Z",
  "1.z",
  "1.0.a",
  "1.0+dfsg",
  "1.0+dfsg1-2",
  "3.0.19-1~deb12u2",
  "3.0.22-1~deb12u1",
  "5.2.15-2+b8",
  "5.2.15-2",
  "10",
  "9",
  "1.0-1.1",
  "1.0-1.a",
  "1.0^git1",
  "1.0^",
  "1.0^~",
  "1.0.1",
  "20260101",
  "1.0_1",
  "1.0.",
  "1..0",
  "1.0-10",
  "1.0-9",
  "00:1.0",
  "1.2.3.4.5.6",
];

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomVersion(next: () => number, alphabet: string): string {
  const pick = (s: string) => s.charAt(Math.floor(next() * s.length));
  let v = String(Math.floor(next() * 12));
  const n = 1 + Math.floor(next() * 6);
  for (let i = 0; i < n; i++) v += pick(alphabet);
  if (next() < 0.3) v = `${Math.floor(next() * 3)}:${v}`;
  if (next() < 0.6) v += `-${Math.floor(next() * 4)}${next() < 0.4 ? pick(alphabet) : ""}${Math.floor(next() * 3)}`;
  return v;
}

function pairs(alphabet: string, seed: number, count: number): [string, string][] {
  const next = rng(seed);
  const out: [string, string][] = [];
  for (let i = 0; i < EDGE.length; i++) {
    for (let j = i; j < EDGE.length; j += 7) out.push([EDGE[i] ?? "0", EDGE[j] ?? "0"]);
  }
  for (let i = 0; i < count; i++) {
    const a = randomVersion(next, alphabet);
    // Half the pairs share a prefix, so the interesting tail decides.
    const b =
      next() < 0.5
        ? a.slice(0, Math.floor(next() * a.length)) + randomVersion(next, alphabet)
        : randomVersion(next, alphabet);
    out.push([a, b]);
  }
  return out;
}

describe("dpkg ordering matches dpkg --compare-versions", () => {
  const ok = has("dpkg");
  if (!ok) console.log("skip: dpkg is not installed");
  it.skipIf(!ok)("agrees on edge cases and 300 random pairs", { timeout: 120_000 }, () => {
    const all = pairs("0123456789.+~abzAZ", 12, 300).filter(([a, b]) => parseDpkgVersion(a) && parseDpkgVersion(b));
    expect(all.length).toBeGreaterThan(300);
    const real = dpkgCompareAll(all);
    const mismatches = all.flatMap(([a, b], i) =>
      compareDpkgVersions(a, b) === real[i] ? [] : [`${a} vs ${b}: dpkg says ${real[i]}`],
    );
    expect(mismatches).toEqual([]);
  });
});

describe("rpm ordering matches rpm's own vercmp", () => {
  const ok = has("rpm");
  if (!ok) console.log("skip: rpm is not installed");
  it.skipIf(!ok)("agrees on edge cases and 1,000 random pairs", () => {
    const all = pairs("0123456789._~^abzAZ", 34, 1000).filter(([a, b]) => parseRpmEvr(a) && parseRpmEvr(b));
    expect(all.length).toBeGreaterThan(900);
    const real = rpmCompareAll(all);
    const mismatches = all.flatMap(([a, b], i) =>
      compareRpmVersions(a, b) === real[i] ? [] : [`${a} vs ${b}: rpm says ${real[i]}`],
    );
    expect(mismatches).toEqual([]);
  });
});

/**
 * One shell for all pairs (a Node spawn per comparison is too slow on a shared machine). A warning
 * on stderr for a version we accept counts as a disagreement ("w").
 */
function dpkgCompareAll(all: [string, string][]): (number | string)[] {
  const dir = mkdtempSync(path.join(tmpdir(), "fg-dpkgcmp-"));
  try {
    const input = path.join(dir, "pairs");
    writeFileSync(input, all.map(([a, b]) => `${a} ${b}\n`).join(""));
    const script = `while read -r a b; do
      if [ -n "$(dpkg --compare-versions "$a" eq "$a" 2>&1; dpkg --compare-versions "$b" eq "$b" 2>&1)" ]; then echo w;
      elif dpkg --compare-versions "$a" lt "$b"; then echo -1;
      elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi
    done < "$1"`;
    const r = spawnSync("sh", ["-c", script, "sh", input], { encoding: "utf8" });
    return r.stdout
      .trim()
      .split("\n")
      .map((x) => (x === "w" ? x : Number(x)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One rpm process for all pairs: rpm's Lua `rpm.vercmp` is rpm's EVR comparison. */
function rpmCompareAll(all: [string, string][]): number[] {
  const dir = mkdtempSync(path.join(tmpdir(), "fg-rpmvercmp-"));
  try {
    const script = path.join(dir, "cmp.lua");
    const rows = all.map(([a, b]) => `{${JSON.stringify(a)},${JSON.stringify(b)}}`).join(",\n");
    writeFileSync(
      script,
      `local p = {${rows}}\nlocal out = {}\nfor _, x in ipairs(p) do out[#out+1] = tostring(rpm.vercmp(x[1], x[2])) end\nprint(table.concat(out, ","))\n`,
    );
    const r = spawnSync("rpm", ["--eval", `%{lua: dofile('${script}')}`], { encoding: "utf8" });
    return r.stdout.trim().split(",").map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
