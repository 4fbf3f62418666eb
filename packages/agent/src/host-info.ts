import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import os from "node:os";

/** Facts about this host reported at enrollment and in `hello`. */
export interface HostInfo {
  hostname: string;
  fqdn: string;
  machineId: string;
  ipAddress: string;
  os: { family: string; name: string; version: string; codename?: string; arch: string };
}

/** Parses /etc/os-release (KEY=value, values optionally quoted; freedesktop os-release(5)). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\`$])/g, "$1");
    }
    out[line.slice(0, eq)] = value;
  }
  return out;
}

async function readTrimmed(file: string): Promise<string | null> {
  try {
    const text = (await readFile(file, "utf8")).trim();
    return text || null;
  } catch {
    return null;
  }
}

function hostnameFqdn(): Promise<string | null> {
  return new Promise((resolve) => {
    // argv only, bounded in time; absent `hostname` just means no FQDN.
    execFile("hostname", ["--fqdn"], { timeout: 2000, shell: false }, (error, stdout) => {
      const name = String(stdout).trim();
      resolve(error || !name || name.includes(" ") ? null : name);
    });
  });
}

function primaryAddress(): string {
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  const external = all.filter(
    (a) => !a.internal && !a.address.startsWith("fe80:") && !a.address.startsWith("169.254."),
  );
  return (
    external.find((a) => a.family === "IPv4")?.address ??
    external.find((a) => a.family === "IPv6")?.address ??
    "127.0.0.1"
  );
}

/** Reads hostname, FQDN, /etc/machine-id, primary address and /etc/os-release. */
export async function collectHostInfo(): Promise<HostInfo> {
  const hostname = os.hostname();
  const release = parseOsRelease((await readTrimmed("/etc/os-release")) ?? "");
  const machineId =
    (await readTrimmed("/etc/machine-id")) ?? (await readTrimmed("/var/lib/dbus/machine-id")) ?? `host-${hostname}`;
  const fqdn = hostname.includes(".") ? hostname : ((await hostnameFqdn()) ?? hostname);
  return {
    hostname,
    fqdn,
    machineId,
    ipAddress: primaryAddress(),
    os: {
      family: release.ID ?? os.platform(),
      name: release.PRETTY_NAME ?? release.NAME ?? os.type(),
      version: release.VERSION_ID ?? os.release(),
      ...(release.VERSION_CODENAME ? { codename: release.VERSION_CODENAME } : {}),
      arch: os.machine(),
    },
  };
}
