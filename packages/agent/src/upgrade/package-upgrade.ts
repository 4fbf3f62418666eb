import type { PackageRunner, RunResult } from "../patch/package-runner";

/** The agent's own package name in the .deb and .rpm (packages/agent/packaging/). */
export const AGENT_PACKAGE = "fleetgate-agent";

/**
 * Set for the package manager's run: the package's maintainer scripts then leave the service alone
 * (no `try-restart`), so the agent is not stopped while apt/dnf runs; the agent reports the result
 * and restarts itself (exit 75, the unit's Restart=always starts the new executable).
 */
export const SELF_UPGRADE_ENV = "FLEETGATE_AGENT_SELF_UPGRADE";

export class PackageUpgradeError extends Error {}

const tail = (r: RunResult) => (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-5).join("\n");

/**
 * The self-upgrade of an agent that was installed from our .deb or .rpm: the executable belongs to
 * the package manager, so the new version is installed with it, from the agent repository the host
 * has configured (`apt-get install --only-upgrade fleetgate-agent=<v>` /
 * `dnf upgrade fleetgate-agent-<v>`), and a rollback reinstalls the exact previous package version.
 * Every command goes through the serialized package runner (one package command at a time, also
 * against patch jobs) and its injectable environment (the real system or a sandbox root).
 */
export class PackageUpgrade {
  constructor(private readonly runner: PackageRunner) {}

  get manager(): "apt" | "dnf" {
    return this.runner.env.backend;
  }

  private run(cmd: string, args: string[], mutating = false): Promise<RunResult> {
    return this.runner.run(cmd, args, { mutating, timeoutMs: 20 * 60_000, extraEnv: { [SELF_UPGRADE_ENV]: "1" } });
  }

  /** Whether our package owns `file` (the running executable's installed path): `dpkg-query -S` / `rpm -qf`. */
  async owns(file: string): Promise<boolean> {
    const env = this.runner.env;
    const r =
      env.backend === "apt"
        ? await this.run("dpkg-query", [`--admindir=${env.dpkgAdmindir}`, "-S", file])
        : await this.run("rpm", ["--root", env.root, "-qf", "--qf", "%{NAME}\\n", file]);
    if (r.code !== 0) return false;
    const names =
      env.backend === "apt"
        ? r.stdout
            .split("\n")
            .filter((l) => l.includes(": "))
            .flatMap((l) => (l.split(": ")[0] ?? "").split(", "))
        : r.stdout.split("\n");
    return names.some((n) => n.trim().split(":")[0] === AGENT_PACKAGE);
  }

  /** The installed package's exact version (deb `Version`, rpm `VERSION-RELEASE`), or null. */
  async installedVersion(): Promise<string | null> {
    const env = this.runner.env;
    const r =
      env.backend === "apt"
        ? await this.run("dpkg-query", [
            `--admindir=${env.dpkgAdmindir}`,
            "-W",
            // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
            "-f=${db:Status-Abbrev}|${Version}",
            AGENT_PACKAGE,
          ])
        : await this.run("rpm", ["--root", env.root, "-q", "--qf", "%{VERSION}-%{RELEASE}", AGENT_PACKAGE]);
    if (r.code !== 0) return null;
    if (env.backend === "dnf") return r.stdout.trim() || null;
    const [status = "", version = ""] = r.stdout.trim().split("|");
    return status.startsWith("ii") || status.startsWith("hi") ? version : null;
  }

  /** Refreshes the package lists, then installs agent version `version` from the repository. */
  async upgradeTo(version: string): Promise<void> {
    await this.runner.exclusive(async () => {
      if (this.manager === "apt") {
        const update = await this.run("apt-get", ["-q", "update"], true);
        if (update.code !== 0) throw new PackageUpgradeError(`apt-get update failed: ${tail(update)}`);
        const install = await this.aptInstall("--only-upgrade", version);
        if (install.code !== 0) throw new PackageUpgradeError(`apt-get install failed: ${tail(install)}`);
      } else {
        const upgrade = await this.run(
          "dnf",
          ["-y", "-q", "--installroot", this.runner.env.root, "--refresh", "upgrade", `${AGENT_PACKAGE}-${version}`],
          true,
        );
        if (upgrade.code !== 0) throw new PackageUpgradeError(`dnf upgrade failed: ${tail(upgrade)}`);
      }
    });
  }

  /** `apt-get install` of the agent package at `version`, keeping changed config files; `mode` is --only-upgrade or --allow-downgrades. */
  private aptInstall(mode: "--only-upgrade" | "--allow-downgrades", version: string) {
    return this.run(
      "apt-get",
      ["-q", "-y", "-o", "Dpkg::Options::=--force-confold", "install", mode, `${AGENT_PACKAGE}=${version}`],
      true,
    );
  }

  /** Reinstalls the exact package version `exact` (a downgrade: the rollback). */
  async reinstall(exact: string): Promise<void> {
    await this.runner.exclusive(async () => {
      const r =
        this.manager === "apt"
          ? await this.aptInstall("--allow-downgrades", exact)
          : await this.run(
              "dnf",
              ["-y", "-q", "--installroot", this.runner.env.root, "downgrade", `${AGENT_PACKAGE}-${exact}`],
              true,
            );
      if (r.code !== 0) throw new PackageUpgradeError(`reinstalling ${AGENT_PACKAGE} ${exact} failed: ${tail(r)}`);
    });
  }
}
