// Bundles the CLI into one ESM file that runs on plain Node.js 20+ with no node_modules.
import { chmod } from "node:fs/promises";
import { build } from "esbuild";

const outfile = "dist/fleetgate.mjs";

await build({
  entryPoints: ["src/cli.ts"],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // CommonJS dependencies (ws) call require() for Node built-ins: give the ESM bundle one.
  banner: {
    js: [
      "#!/usr/bin/env node",
      'import { createRequire as __fgCreateRequire } from "node:module";',
      "const require = __fgCreateRequire(import.meta.url);",
    ].join("\n"),
  },
  // ws loads these optional native add-ons inside try/catch; the CLI runs without them.
  external: ["bufferutil", "utf-8-validate"],
  legalComments: "none",
  minify: true,
  sourcemap: false,
  logLevel: "info",
});
await chmod(outfile, 0o755);
