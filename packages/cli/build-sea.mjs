// `pnpm --filter @fleetgate/cli build:sea`: the self-contained `fleetgate` executables (Node
// single-executable applications in the agent's pinned Node runtimes, fetched from the npm registry
// and verified) for linux-x64 and linux-arm64 → dist/release/ with SHA256SUMS. `--targets` narrows.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { bundleSeaMain, injectBlob, seaBlob, sha256 } from "../agent/release/build-sea.mjs";
import { hostTarget, nodeRuntime, runtimes } from "../agent/release/runtimes.mjs";

const root = path.dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({ options: { targets: { type: "string" } } });
const targets = values.targets?.split(",") ?? Object.keys(runtimes.targets);
const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
const seaDir = path.join(root, "dist", "sea");
const releaseDir = path.join(root, "dist", "release");

const main = await bundleSeaMain(root, "fleetgate", { minify: true });
const generator = hostTarget();
if (!generator) throw new Error(`cannot run any pinned Node runtime on ${process.platform}-${process.arch}`);
const blob = await seaBlob(main, await nodeRuntime(generator), { dir: seaDir, name: "fleetgate" });
await mkdir(releaseDir, { recursive: true });
const lines = [];
for (const target of targets) {
  const file = `fleetgate-${target}`;
  const bytes = await injectBlob(await nodeRuntime(target), blob, path.join(releaseDir, file));
  lines.push(`${sha256(bytes)}  ${file}\n`);
  process.stdout.write(
    `${sha256(bytes)}  dist/release/${file} (${bytes.length} bytes, fleetgate ${pkg.version}, Node ${runtimes.version})\n`,
  );
}
await writeFile(path.join(releaseDir, "SHA256SUMS"), lines.join(""));
