// Uploads the built agent release (packages/agent/dist/release, from `pnpm --filter @fleetgate/agent
// build`) to R2, where GET /agent/v1/download/... serves it (packages/domain/src/agent/agent-releases.service.ts):
//   agent/releases/<version>/<file>, agent/releases/<version>/manifest.json, agent/releases/latest.json
// Usage: node scripts/publish-agent.mjs --remote | --local [--persist-to <dir>] [--release-dir <dir>]
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { root, wrangler } from "./lib/local-server.mjs";

const { values } = parseArgs({
  options: {
    remote: { type: "boolean" },
    local: { type: "boolean" },
    "persist-to": { type: "string" },
    "release-dir": { type: "string" },
  },
});
if (values.remote === values.local) throw new Error("pass exactly one of --remote or --local");

const releaseDir = path.resolve(values["release-dir"] ?? path.join(root, "packages/agent/dist/release"));
const manifestFile = path.join(releaseDir, "manifest.json");
if (!existsSync(manifestFile)) throw new Error(`${manifestFile} not found: run pnpm --filter @fleetgate/agent build`);
const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
const bucket = /\[\[r2_buckets\]\]\s*binding\s*=\s*"EXPORTS"\s*bucket_name\s*=\s*"([^"]+)"/.exec(
  readFileSync(path.join(root, "wrangler.toml"), "utf8"),
)?.[1];
if (!bucket) throw new Error("wrangler.toml has no EXPORTS bucket");

const target = values.remote
  ? ["--remote"]
  : ["--local", ...(values["persist-to"] ? ["--persist-to", values["persist-to"]] : [])];
const TYPES = {
  deb: "application/vnd.debian.binary-package",
  rpm: "application/x-rpm",
  service: "text/plain",
  json: "application/json",
};

function put(key, file) {
  const type = TYPES[path.extname(file).slice(1)] ?? "application/octet-stream";
  const res = wrangler(["r2", "object", "put", `${bucket}/${key}`, "--file", file, "--content-type", type, ...target], {
    env: { CI: "true" },
  });
  if (res.status !== 0) throw new Error(`upload of ${key} failed:\n${res.stdout}\n${res.stderr}`);
  process.stdout.write(`uploaded ${key}\n`);
}

const prefix = `agent/releases/${manifest.version}/`;
const files = [...manifest.artifacts, ...(manifest.packages ?? []), ...(manifest.unit ? [manifest.unit] : [])];
for (const { file } of files) put(prefix + file, path.join(releaseDir, file));
// The manifest last: a release becomes visible only once all its files are in place.
put(`${prefix}manifest.json`, manifestFile);
put("agent/releases/latest.json", manifestFile);
