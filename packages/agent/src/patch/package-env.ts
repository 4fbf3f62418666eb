import path from "node:path";

/**
 * Where the package tools act. The same agent code runs against the real system (`systemEnv`)
 * or a sandbox root (`aptSandboxEnv`, used by the tests): APT's configuration file, dpkg's root
 * and admin directory, the vault directory and the prefix under which host files
 * (`/etc/os-release`, `/var/run/reboot-required`) are read.
 */
export interface PackageEnv {
  backend: "apt" | "dnf";
  /** APT_CONFIG for apt-get/apt-cache/apt-mark; null on the real system (apt's defaults). */
  aptConfig: string | null;
  /** dpkg `--root` / dnf `--installroot`. "/" on the real system. */
  root: string;
  /** dpkg `--admindir`. */
  dpkgAdmindir: string;
  /** apt's archive cache (downloaded .debs). */
  aptArchives: string;
  /** Pre-patch package files, root-only (0700). */
  vaultDir: string;
  /** Prefix for host files such as /etc/os-release; "/" on the real system. */
  fileRoot: string;
  /** Seconds apt waits for the dpkg lock before giving up (DPkg::Lock::Timeout). */
  lockTimeoutSecs: number;
  /** dnf `--releasever` (a sandbox root has no release package to detect it from); null: dnf detects it. */
  releasever: string | null;
}

/** The real system's package environment. */
export function systemEnv(backend: "apt" | "dnf", vaultDir: string): PackageEnv {
  return {
    backend,
    aptConfig: null,
    root: "/",
    dpkgAdmindir: "/var/lib/dpkg",
    aptArchives: "/var/cache/apt/archives",
    vaultDir,
    fileRoot: "/",
    lockTimeoutSecs: 600,
    releasever: null,
  };
}

/**
 * A sandbox apt/dpkg root (shared/reference/patching.md §5 level 2): apt and dpkg act only inside
 * `root`, unprivileged, with maintainer scripts run chrootless (they must honour $DPKG_ROOT).
 * Returns the env and the text of the apt.conf to write at `env.aptConfig`.
 */
export function aptSandboxEnv(
  base: string,
  opts: { user: string; arch?: string; lockTimeoutSecs?: number },
): { env: PackageEnv; aptConf: string; dirs: string[] } {
  const root = path.join(base, "root");
  const arch = opts.arch ?? "amd64";
  const aptConf = `Dir "${root}/";
Dir::State::status "${root}/var/lib/dpkg/status";
Dir::Log "${root}/var/log/apt";
APT::Architecture "${arch}";
APT::Architectures { "${arch}"; };
APT::Sandbox::User "${opts.user}";
Acquire::Languages "none";
Binary::apt::APT::Keep-Downloaded-Packages "1";
DPkg::Options { "--root=${root}"; "--admindir=${root}/var/lib/dpkg"; "--force-script-chrootless"; "--force-not-root"; "--log=${root}/var/log/dpkg.log"; };
`;
  const dirs = [
    "etc/apt/sources.list.d",
    "etc/apt/apt.conf.d",
    "etc/apt/preferences.d",
    "var/lib/dpkg/info",
    "var/lib/dpkg/updates",
    "var/lib/apt/lists/partial",
    "var/cache/apt/archives/partial",
    "var/log/apt",
    "var/run",
  ].map((d) => path.join(root, d));
  return {
    env: {
      backend: "apt",
      aptConfig: path.join(base, "apt.conf"),
      root,
      dpkgAdmindir: path.join(root, "var/lib/dpkg"),
      aptArchives: path.join(root, "var/cache/apt/archives"),
      vaultDir: path.join(base, "vault"),
      fileRoot: root,
      lockTimeoutSecs: opts.lockTimeoutSecs ?? 60,
      releasever: null,
    },
    aptConf,
    dirs,
  };
}

/**
 * A sandbox dnf/rpm root (shared/reference/patching.md §5 level 3): dnf acts only inside `root`
 * (`--installroot`), and reads its configuration from there (`root/etc/dnf/dnf.conf`,
 * `root/etc/yum.repos.d/`), as it does on the real system from `/`.
 */
export function dnfSandboxEnv(base: string, opts: { releasever?: string } = {}): { env: PackageEnv; dirs: string[] } {
  const root = path.join(base, "root");
  const dirs = ["etc/dnf", "etc/yum.repos.d", "var/cache/dnf", "var/lib/rpm", "var/run"].map((d) => path.join(root, d));
  return {
    env: {
      backend: "dnf",
      aptConfig: null,
      root,
      dpkgAdmindir: path.join(root, "var/lib/dpkg"),
      aptArchives: path.join(root, "var/cache/apt/archives"),
      vaultDir: path.join(base, "vault"),
      fileRoot: root,
      lockTimeoutSecs: 60,
      releasever: opts.releasever ?? "1",
    },
    dirs,
  };
}

/** A host file under the env's file root. */
export function hostFile(env: PackageEnv, file: string): string {
  return path.join(env.fileRoot, file);
}

/** dpkg's own options for this env (direct dpkg / dpkg-query calls). */
export function dpkgArgs(env: PackageEnv): string[] {
  if (env.root === "/") return [];
  return [
    `--root=${env.root}`,
    `--admindir=${env.dpkgAdmindir}`,
    "--force-script-chrootless",
    "--force-not-root",
    `--log=${path.join(env.root, "var/log/dpkg.log")}`,
  ];
}
