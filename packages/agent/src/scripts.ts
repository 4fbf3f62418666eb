import { createHash } from "node:crypto";
import { constants, createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import type { AgentScript } from "@fleetgate/contract/agent";
import type { AgentConfig } from "./config";

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The allowlist as reported in `hello`: path, description, whether it is executable, and the SHA-256 of its content. */
export async function inventoryScripts(config: AgentConfig): Promise<AgentScript[]> {
  const out: AgentScript[] = [];
  for (const script of config.scripts.values()) {
    let executable = false;
    let sha256 = "";
    try {
      await access(script.path, constants.X_OK);
      executable = true;
    } catch {
      executable = false;
    }
    try {
      sha256 = await sha256File(script.path);
    } catch {
      sha256 = "";
    }
    out.push({ name: script.name, path: script.path, description: script.description, executable, sha256 });
  }
  return out;
}
