// `pnpm --filter @fleetgate/agent build` (after the ESM bundle): the self-contained executables,
// then the .deb and .rpm of each, the systemd unit, all into dist/release/ with manifest.json and SHA256SUMS.
import { copyFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildDeb, buildRpm, fileSha256 } from "./build-packages.mjs";
import { buildSea, releaseDir } from "./build-sea.mjs";

// --targets linux-x64[,linux-arm64] and --no-packages: quicker partial builds (tests, local dev).
const { values } = parseArgs({ options: { targets: { type: "string" }, "no-packages": { type: "boolean" } } });
const manifest = await buildSea(values.targets?.split(","));
const packages = [];
for (const artifact of values["no-packages"] ? [] : manifest.artifacts) {
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
// The unit, for the installer's binary method (the packages carry their own copy).
const unitFile = "fleetgate-agent.service";
await copyFile(
  path.resolve(releaseDir, "..", "..", "..", "..", "deploy", "systemd", unitFile),
  path.join(releaseDir, unitFile),
);
const unitSize = (await stat(path.join(releaseDir, unitFile))).size;
manifest.unit = { file: unitFile, size: unitSize, sha256: await fileSha256(path.join(releaseDir, unitFile)) };
await writeFile(path.join(releaseDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
const lines = [...manifest.artifacts, ...packages, manifest.unit].map((a) => `${a.sha256}  ${a.file}\n`);
await writeFile(path.join(releaseDir, "SHA256SUMS"), lines.join(""));
process.stdout.write(
  `fleetgate-agent ${manifest.version} (Node ${manifest.node}) → ${path.relative(process.cwd(), releaseDir)}/\n`,
);
process.stdout.write(lines.join(""));
