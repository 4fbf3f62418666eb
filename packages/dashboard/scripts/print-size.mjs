// Prints the gzipped size of what the browser loads first (index.html plus the entry's
// JS and CSS with their static imports) and of every lazy chunk; fails above the budget.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 200;
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "dist");
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const html = readFileSync(path.join(dist, "index.html"), "utf8");
const first = new Set(["index.html"]);
for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)) if (m[1]) first.add(m[1]);
let total = 0;
for (const f of first) total += gz(f);
const kb = (n) => (n / 1024).toFixed(1);
console.log(`\n  first load: ${kb(total)} KB gzipped (${[...first].join(", ")}); budget ${BUDGET_KB} KB`);
const lazy = readdirSync(path.join(dist, "assets"))
  .map((f) => `assets/${f}`)
  .filter((f) => !first.has(f) && /\.(js|css)$/.test(f));
for (const f of lazy.sort()) console.log(`  lazy ${f}: ${kb(gz(f))} KB gzipped`);
if (total > BUDGET_KB * 1024) {
  console.error(`  first load exceeds the ${BUDGET_KB} KB budget`);
  process.exit(1);
}
