import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import type { PatchingConfig } from "../config";
import { AptBackend } from "./apt-backend";
import { parseOsRelease } from "./apt-parse";
import { DnfBackend } from "./dnf-backend";
import type { PackageBackend } from "./package-backend";
import { aptSandboxEnv, dnfSandboxEnv, type PackageEnv, systemEnv } from "./package-env";
import type { PackageRunner } from "./package-runner";
import type { Vault } from "./vault";

/**
 * The package manager of a host from its os-release (`ID`, `ID_LIKE`): the RHEL family
 * (rhel, fedora, centos and their rebuilds, which name one of those in ID_LIKE) → dnf,
 * everything else → apt.
 */
export function backendFor(osRelease: string): "apt" | "dnf" {
  return parseOsRelease(osRelease, "", "").family === "rhel" ? "dnf" : "apt";
}

function readOsRelease(root: string): string {
  for (const file of ["etc/os-release", "usr/lib/os-release"]) {
    try {
      return readFileSync(path.join(root, file), "utf8");
    } catch {
      // next candidate
    }
  }
  return "";
}

/**
 * The package environment the config names: a sandbox root (tests, demos: dnf when the root's
 * os-release is of the RHEL family, else apt) or the real system (from /etc/os-release).
 */
export function patchEnv(config: PatchingConfig): PackageEnv {
  if (config.sandboxDir) {
    const kind = backendFor(readOsRelease(path.join(config.sandboxDir, "root")));
    const env =
      kind === "dnf"
        ? dnfSandboxEnv(config.sandboxDir).env
        : aptSandboxEnv(config.sandboxDir, { user: userInfo().username }).env;
    return { ...env, vaultDir: config.vaultDir };
  }
  return systemEnv(backendFor(readOsRelease("/")), config.vaultDir);
}

/**
 * The package environment of this host for package commands outside patching (the agent's own
 * package upgrade): the patching config's when it has one, else the real system's.
 */
export function hostPackageEnv(config: PatchingConfig | undefined, stateDir: string): PackageEnv {
  if (config) return patchEnv(config);
  return systemEnv(backendFor(readOsRelease("/")), path.join(stateDir, "vault"));
}

/** The backend of an env. */
export function createBackend(runner: PackageRunner, vault: Vault): PackageBackend {
  return runner.env.backend === "dnf" ? new DnfBackend(runner, vault) : new AptBackend(runner, vault);
}
