// Builds the .deb (dpkg-deb) and .rpm (rpmbuild) of the self-contained agent: the executable,
// the systemd unit, /etc/fleetgate-agent/ and maintainer scripts (packaging/).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const packaging = path.join(root, "packaging");
const unitFile = path.resolve(root, "..", "..", "deploy", "systemd", "fleetgate-agent.service");

/** Debian and RPM names of each Node architecture. */
export const ARCHES = {
  x64: { deb: "amd64", rpm: "x86_64" },
  arm64: { deb: "arm64", rpm: "aarch64" },
};

/**
 * Timestamps inside the packages: SOURCE_DATE_EPOCH when set (reproducible builds), else the last
 * commit's time, so two builds of one commit are byte-identical.
 */
function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return process.env.SOURCE_DATE_EPOCH;
  try {
    return execFileSync("git", ["log", "-1", "--format=%ct"], { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "0";
  }
}

function requireTool(tool) {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
  } catch {
    throw new Error(`${tool} not found: install it (Debian: apt-get install dpkg-dev rpm)`);
  }
}

/** Builds `fleetgate-agent_<version>_<debarch>.deb` into outDir; returns its path. */
export async function buildDeb({ version, arch, executable, outDir }) {
  requireTool("dpkg-deb");
  const debArch = ARCHES[arch].deb;
  const stage = await mkdtemp(path.join(tmpdir(), "fg-deb-"));
  try {
    const put = async (from, to, mode) => {
      const target = path.join(stage, to);
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(from, target);
      await chmod(target, mode);
    };
    await put(executable, "usr/bin/fleetgate-agent", 0o755);
    await put(unitFile, "lib/systemd/system/fleetgate-agent.service", 0o644);
    await put(path.join(packaging, "config.example.yaml"), "etc/fleetgate-agent/config.example.yaml", 0o644);
    for (const script of ["postinst", "prerm", "postrm"])
      await put(path.join(packaging, "deb", script), `DEBIAN/${script}`, 0o755);
    const installedKiB = Math.ceil((await stat(executable)).size / 1024) + 8;
    await writeFile(
      path.join(stage, "DEBIAN", "control"),
      [
        "Package: fleetgate-agent",
        `Version: ${version}`,
        `Architecture: ${debArch}`,
        "Maintainer: Fleetgate <fleetgate@users.noreply.github.com>",
        "Section: admin",
        "Priority: optional",
        `Installed-Size: ${installedKiB}`,
        "Depends: libc6 (>= 2.28), libstdc++6 (>= 5.2), libgcc-s1 | libgcc1, passwd",
        "Description: Fleetgate host agent (self-contained, no runtime needed)",
        " Enrolls the host with the Fleetgate control plane, keeps one outbound WebSocket",
        " to it and runs only the scripts its own configuration allowlists. Node.js is",
        " inside the executable.",
        "",
      ].join("\n"),
    );
    await writeFile(path.join(stage, "DEBIAN", "conffiles"), "/etc/fleetgate-agent/config.example.yaml\n");
    await mkdir(outDir, { recursive: true });
    const out = path.join(outDir, `fleetgate-agent_${version}_${debArch}.deb`);
    execFileSync("dpkg-deb", ["--root-owner-group", "-Zgzip", "--build", stage, out], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, SOURCE_DATE_EPOCH: sourceDateEpoch() },
    });
    return out;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** Builds `fleetgate-agent-<version>-1.<rpmarch>.rpm` into outDir; returns its path. */
export async function buildRpm({ version, arch, executable, outDir }) {
  requireTool("rpmbuild");
  const rpmArch = ARCHES[arch].rpm;
  const top = await mkdtemp(path.join(tmpdir(), "fg-rpm-"));
  try {
    const source = path.join(top, "SOURCES");
    await mkdir(source, { recursive: true });
    await copyFile(executable, path.join(source, "fleetgate-agent"));
    await copyFile(unitFile, path.join(source, "fleetgate-agent.service"));
    await copyFile(path.join(packaging, "config.example.yaml"), path.join(source, "config.example.yaml"));
    // RPM versions may not contain "-": a prerelease like 1.2.0-rc.1 becomes 1.2.0~rc.1.
    const rpmVersion = version.replace(/-/g, "~");
    const epoch = sourceDateEpoch();
    execFileSync(
      "rpmbuild",
      [
        "--quiet",
        "-bb",
        "--target",
        `${rpmArch}-linux`,
        "--define",
        `_topdir ${top}`,
        "--define",
        `fg_version ${rpmVersion}`,
        "--define",
        "fg_release 1",
        "--define",
        `fg_source ${source}`,
        "--define",
        "_binary_payload w7.zstdio",
        "--define",
        "use_source_date_epoch_as_buildtime 1",
        "--define",
        "clamp_mtime_to_source_date_epoch 1",
        "--define",
        "_buildhost fleetgate-build",
        path.join(packaging, "rpm", "fleetgate-agent.spec"),
      ],
      { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, SOURCE_DATE_EPOCH: epoch } },
    );
    const built = path.join(top, "RPMS", rpmArch);
    const [file] = (await readdir(built)).filter((f) => f.endsWith(".rpm"));
    if (!file) throw new Error(`rpmbuild produced no package in ${built}`);
    await mkdir(outDir, { recursive: true });
    const out = path.join(outDir, file);
    await copyFile(path.join(built, file), out);
    return out;
  } finally {
    await rm(top, { recursive: true, force: true });
  }
}

/** sha256 of a file, hex. */
export async function fileSha256(file) {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}
