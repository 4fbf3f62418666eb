// Fetches the pinned Node.js runtimes (npm registry platform packages) into a local cache,
// verifying each tarball against the integrity pinned in node-runtimes.json.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
export const runtimes = JSON.parse(readFileSync(path.join(here, "node-runtimes.json"), "utf8"));
export const cacheDir = path.resolve(here, "..", ".cache");

/** The registry the ordinary npm client would use (npm_config_registry), else the public one. */
function registry() {
  const configured = process.env.npm_config_registry || "https://registry.npmjs.org/";
  return configured.endsWith("/") ? configured : `${configured}/`;
}

/** Path of the cached `node` binary for a target (`linux-x64` | `linux-arm64`), downloading it once. */
export async function nodeRuntime(target) {
  const spec = runtimes.targets[target];
  if (!spec) throw new Error(`unknown target ${target}`);
  const dir = path.join(cacheDir, `node-${runtimes.version}-${target}`);
  const binary = path.join(dir, "node");
  if (existsSync(binary)) return binary;
  const url = `${registry()}${spec.package}/-/${spec.package}-${runtimes.version}.tgz`;
  process.stderr.write(`fetching ${url}\n`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const tarball = Buffer.from(await response.arrayBuffer());
  const [algorithm, expected] = spec.integrity.split(/-(.*)/s);
  const actual = createHash(algorithm).update(tarball).digest("base64");
  if (actual !== expected) throw new Error(`${url}: integrity mismatch (${algorithm}-${actual})`);
  const staging = `${dir}.partial`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const tgz = path.join(staging, "package.tgz");
  await writeFile(tgz, tarball);
  execFileSync("tar", ["-xzf", tgz, "-C", staging, "--strip-components=2", "package/bin/node"]);
  await rm(tgz);
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return binary;
}

/** The target that runs on this machine, if any. */
export function hostTarget() {
  const target = `${process.platform}-${process.arch}`;
  return runtimes.targets[target] ? target : undefined;
}
