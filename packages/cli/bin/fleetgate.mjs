#!/usr/bin/env node
// `npx fleetgate …` in a checkout (the root package depends on @fleetgate/cli): runs the bundled CLI,
// bundling it first when dist/ is missing or older than the CLI's or the SDK's sources.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const bundle = new URL("../dist/fleetgate.mjs", import.meta.url);

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs);
  }
  return t;
}

function builtAt() {
  try {
    return statSync(bundle).mtimeMs;
  } catch {
    return 0;
  }
}

const sources = [new URL("../src", import.meta.url), new URL("../../sdk/src", import.meta.url)];
if (builtAt() < Math.max(...sources.map((u) => newest(fileURLToPath(u))))) {
  try {
    execFileSync(process.execPath, ["build.mjs"], { cwd: pkg, stdio: "pipe" });
  } catch (err) {
    process.stderr.write(`fleetgate: bundling the CLI failed\n${err.stderr ?? err}\n`);
    process.exit(1);
  }
}
await import(bundle.href);
