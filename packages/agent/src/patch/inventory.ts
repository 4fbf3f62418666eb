import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import os from "node:os";
import type { InstalledPackage, Inventory, InventoryDiff } from "@fleetgate/contract/agent";
import { canonicalPackageText, compareDpkgVersions, parseDpkgVersion } from "@fleetgate/contract/patching";
import { parseOsRelease } from "./apt-parse";
import type { PackageBackend } from "./package-backend";
import { hostFile, type PackageEnv } from "./package-env";

const key = (p: { name: string; arch: string }) => `${p.name}:${p.arch}`;

/**
 * Why a reboot is needed: the reboot-required file (Ubuntu, unattended-upgrades), or an
 * installed kernel image newer than the running one (plain Debian never writes the file).
 */
export async function rebootReasons(env: PackageEnv, packages: InstalledPackage[], running: string): Promise<string[]> {
  const reasons: string[] = [];
  try {
    const pkgs = await readFile(hostFile(env, "var/run/reboot-required.pkgs"), "utf8").catch(() => "");
    await stat(hostFile(env, "var/run/reboot-required"));
    reasons.push(`reboot-required${pkgs.trim() ? `: ${pkgs.trim().split("\n").join(", ")}` : ""}`);
  } catch {
    // No file: nothing asked for a reboot.
  }
  const kernels = packages
    .map((p) => /^linux-image-(\d.*)$/.exec(p.name)?.[1])
    .filter((k): k is string => k !== undefined && parseDpkgVersion(k) !== null);
  const newest = kernels.sort(compareDpkgVersions).at(-1);
  if (newest && parseDpkgVersion(running) && compareDpkgVersions(newest, running) > 0) {
    reasons.push(`kernel ${newest} installed, ${running} running`);
  }
  return reasons;
}

/** A full inventory: OS facts, installed packages, pending updates (simulated), reboot state. */
export async function collectInventory(
  backend: PackageBackend,
  env: PackageEnv,
  now = Date.now(),
  kernel = os.release(),
): Promise<Inventory> {
  const osRelease = await readFile(hostFile(env, "etc/os-release"), "utf8").catch(() => "");
  const packages = await backend.installed();
  const pending = await backend.pending();
  const reasons = await backend.rebootReasons(packages, kernel);
  const refreshed = await backend.listsRefreshedAt();
  return {
    os: parseOsRelease(osRelease, kernel, os.machine()),
    packages,
    updates: pending.updates,
    removals: pending.removals,
    reboot_required: reasons.length > 0,
    reboot_reasons: reasons,
    lists_age_secs: refreshed !== null ? Math.max(0, Math.floor((now - refreshed) / 1000)) : null,
    collected_at: now,
  };
}

/** Order-independent hash of the installed set (what the server acknowledges; same as `packageSetHash`). */
export function packagesHash(packages: InstalledPackage[]): string {
  return createHash("sha256").update(canonicalPackageText(packages)).digest("hex");
}

/**
 * The inventory as a diff against the one the server holds (`base`), so a 3,000-package host
 * sends only what changed; pending updates are always sent whole (they are few and volatile).
 */
export function diffInventory(prev: InstalledPackage[], next: Inventory): InventoryDiff {
  const before = new Map(prev.map((p) => [key(p), p]));
  const after = new Map(next.packages.map((p) => [key(p), p]));
  const upserted = next.packages.filter((p) => {
    const old = before.get(key(p));
    return (
      !old ||
      old.version !== p.version ||
      old.status !== p.status ||
      old.source !== p.source ||
      old.source_version !== p.source_version
    );
  });
  const removed = [...before.keys()].filter((k) => !after.has(k));
  return {
    base: packagesHash(prev),
    hash: packagesHash(next.packages),
    os: next.os,
    upserted,
    removed,
    updates: next.updates,
    removals: next.removals,
    reboot_required: next.reboot_required,
    reboot_reasons: next.reboot_reasons,
    lists_age_secs: next.lists_age_secs,
    collected_at: next.collected_at,
  };
}

/** Applies a diff to the base package list (the server does the same; the hash proves both agree). */
export function applyInventoryDiff(base: InstalledPackage[], diff: InventoryDiff): InstalledPackage[] | null {
  if (packagesHash(base) !== diff.base) return null;
  const map = new Map(base.map((p) => [key(p), p]));
  for (const k of diff.removed) map.delete(k);
  for (const p of diff.upserted) map.set(key(p), p);
  const out = [...map.values()];
  return packagesHash(out) === diff.hash ? out : null;
}
