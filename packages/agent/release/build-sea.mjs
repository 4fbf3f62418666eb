// Builds the self-contained agent executables (Node single-executable applications) for every
// target in node-runtimes.json: one CommonJS bundle, one SEA blob, injected with postject into
// each pinned Node binary. Output: dist/release/fleetgate-agent-linux-<arch>, manifest.json, SHA256SUMS.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";
import { hostTarget, nodeRuntime, runtimes } from "./runtimes.mjs";

const require = createRequire(import.meta.url);
const { inject } = require("postject");

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const seaDir = path.join(root, "dist", "sea");
export const releaseDir = path.join(root, "dist", "release");

/** The fuse Node looks for to know a blob was injected (doc/api/single-executable-applications.md). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

export const sha256 = (data) => createHash("sha256").update(data).digest("hex");

/**
 * Bundles a package's `src/sea-main.ts` into the one CommonJS file a SEA runs (dist/sea/<name>.cjs),
 * after clearing dist/sea. Shared by the agent and the CLI.
 */
export async function bundleSeaMain(packageRoot, name, { minify = false } = {}) {
  const dir = path.join(packageRoot, "dist", "sea");
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const main = path.join(dir, `${name}.cjs`);
  await build({
    absWorkingDir: packageRoot,
    entryPoints: ["src/sea-main.ts"],
    outfile: main,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    // ws loads these optional native add-ons inside try/catch; the programs run without them.
    external: ["bufferutil", "utf-8-validate"],
    legalComments: "none",
    minify,
    logLevel: "warning",
  });
  return main;
}

/**
 * One blob for all targets: without a V8 snapshot or code cache the blob is architecture
 * independent, it only has to come from the same Node version as the binaries it goes into.
 */
export async function seaBlob(main, generator, { codeCache = false, dir = seaDir, name = "agent" } = {}) {
  const output = path.join(dir, codeCache ? `${name}-codecache.blob` : `${name}.blob`);
  const config = path.join(dir, codeCache ? "sea-config-codecache.json" : "sea-config.json");
  await writeFile(
    config,
    JSON.stringify({
      main,
      output,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: codeCache,
    }),
  );
  execFileSync(generator, ["--experimental-sea-config", config], { stdio: ["ignore", "ignore", "inherit"] });
  return readFile(output);
}

/** Copies a pinned Node binary to `file` and injects the SEA blob into it. */
export async function injectBlob(runtime, data, file) {
  await copyFile(runtime, file);
  await chmod(file, 0o755);
  await inject(file, "NODE_SEA_BLOB", data, { sentinelFuse: SEA_FUSE });
  await chmod(file, 0o755);
  return readFile(file);
}

/** Builds every target; returns the manifest written to dist/release/manifest.json. */
export async function buildSea(targets = Object.keys(runtimes.targets)) {
  const main = await bundleSeaMain(root, "fleetgate-agent");
  const generatorTarget = hostTarget();
  if (!generatorTarget) throw new Error(`cannot run any pinned Node runtime on ${process.platform}-${process.arch}`);
  const generator = await nodeRuntime(generatorTarget);
  const data = await seaBlob(main, generator);
  await mkdir(releaseDir, { recursive: true });
  const artifacts = [];
  for (const target of targets) {
    const [os, arch] = target.split("-");
    const file = `fleetgate-agent-${target}`;
    const bytes = await injectBlob(await nodeRuntime(target), data, path.join(releaseDir, file));
    artifacts.push({ os, arch, file, size: bytes.length, sha256: sha256(bytes) });
  }
  const manifest = { name: "fleetgate-agent", version: pkg.version, node: runtimes.version, artifacts };
  await writeFile(path.join(releaseDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(path.join(releaseDir, "SHA256SUMS"), artifacts.map((a) => `${a.sha256}  ${a.file}\n`).join(""));
  return manifest;
}

/** The host-architecture SEA with V8's code cache, for the size/start-up comparison only. */
export async function buildCodeCacheVariant() {
  const main = path.join(seaDir, "fleetgate-agent.cjs");
  const target = hostTarget();
  const runtime = await nodeRuntime(target);
  const data = await seaBlob(main, runtime, { codeCache: true });
  const file = path.join(seaDir, `fleetgate-agent-${target}-codecache`);
  await injectBlob(runtime, data, file);
  return file;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const manifest = await buildSea();
  for (const a of manifest.artifacts) process.stdout.write(`${a.sha256}  dist/release/${a.file} (${a.size} bytes)\n`);
}
