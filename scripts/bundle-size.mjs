// Builds the Worker bundle (wrangler deploy --dry-run) and prints its gzipped size.
// Fails when the bundle exceeds 3 MiB gzipped (Workers paid plan limit is 10 MiB; we keep margin).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ensureDashboard, root, wrangler } from "./lib/local-server.mjs";

const out = path.join(root, "dist");
ensureDashboard(); // wrangler.toml [assets] needs the build
const res = wrangler(["deploy", "--dry-run", "--outdir", out]);
if (res.status !== 0) {
  console.error(res.stdout, res.stderr);
  process.exit(1);
}
let raw = 0;
let gz = 0;
for (const f of readdirSync(out)) {
  const p = path.join(out, f);
  if (!statSync(p).isFile() || f.endsWith(".map")) continue;
  const buf = readFileSync(p);
  raw += buf.length;
  gz += gzipSync(buf, { level: 9 }).length;
}
const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
console.log(`bundle: ${mib(raw)} raw, ${mib(gz)} gzipped (limit 3.00 MiB)`);
if (gz > 3 * 1024 * 1024) process.exit(1);
