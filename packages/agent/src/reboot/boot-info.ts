import { readFile } from "node:fs/promises";
import os from "node:os";
import { BootInfo } from "@fleetgate/contract/agent";

/**
 * The boot the agent runs in: the kernel's boot id (a new one on every boot; the file is
 * injectable so tests can fake a reboot), the running kernel (`uname -r`) and when the host
 * booted (now minus the uptime). Null when the boot id cannot be read.
 */
export async function readBootInfo(bootIdFile: string, now = Date.now()): Promise<BootInfo | null> {
  let text: string;
  try {
    text = await readFile(bootIdFile, "utf8");
  } catch {
    return null;
  }
  const parsed = BootInfo.safeParse({
    boot_id: text.trim(),
    kernel: os.release(),
    booted_at: Math.max(0, Math.round(now - os.uptime() * 1000)),
  });
  return parsed.success ? parsed.data : null;
}
