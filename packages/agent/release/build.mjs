// `pnpm --filter @fleetgate/agent build` (after the ESM bundle): the self-contained executables,
// then the .deb and .rpm of each, all into dist/release/ with manifest.json and SHA256SUMS.
import { stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildDeb, buildRpm, fileSha256 } from "./build-packages.mjs";
import { buildSea, releaseDir } from "./build-sea.mjs";

const manifest = await buildSea();
const packages = [];
for (const artifact of [...manifest.artifacts]) {
  const executable = path.join(releaseDir, artifact.file);
  const args = { version: manifest.version, arch: artifact.arch, executable, outDir: releaseDir };
  for (const [kind, builder] of [
    ["deb", buildDeb],
    ["rpm", buildRpm],
  ]) {
    const file = await builder(args);
    const { size } = await stat(file);
    packages.push({
      os: artifact.os,
      arch: artifact.arch,
      kind,
      file: path.basename(file),
      size,
      sha256: await fileSha256(file),
    });
  }
}
manifest.packages = packages;
await writeFile(path.join(releaseDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
const lines = [...manifest.artifacts, ...packages].map((a) => `${a.sha256}  ${a.file}\n`);
await writeFile(path.join(releaseDir, "SHA256SUMS"), lines.join(""));
process.stdout.write(
  `fleetgate-agent ${manifest.version} (Node ${manifest.node}) → ${path.relative(process.cwd(), releaseDir)}/\n`,
);
process.stdout.write(lines.join(""));
