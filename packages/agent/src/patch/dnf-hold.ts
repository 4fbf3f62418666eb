import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileDurable } from "../fs-atomic";

/**
 * Holds packages on dnf/rpm hosts: their names join `excludepkgs` in the `[main]` section of
 * dnf.conf, so no later transaction (dnf-automatic included) upgrades them again; the agent's own
 * rollbacks pass `--disableexcludes=main`. (The versionlock plugin is not part of dnf itself.)
 * Returns the new file text; other lines and sections are kept as they were.
 */
export function addExcludes(conf: string, names: string[]): string {
  const lines = conf === "" ? [] : conf.replace(/\n$/, "").split("\n");
  let main = lines.findIndex((l) => /^\s*\[main\]\s*$/.test(l));
  if (main === -1) {
    lines.unshift("[main]");
    main = 0;
  }
  let end = lines.findIndex((l, i) => i > main && /^\s*\[/.test(l));
  if (end === -1) end = lines.length;
  const at = lines.findIndex((l, i) => i > main && i < end && /^\s*excludepkgs\s*=/.test(l));
  const current = at === -1 ? [] : (lines[at] ?? "").replace(/^\s*excludepkgs\s*=/, "").split(/[\s,]+/);
  const merged = [...new Set([...current, ...names].filter((n) => n !== ""))].sort();
  const line = `excludepkgs=${merged.join(",")}`;
  if (at === -1) lines.splice(main + 1, 0, line);
  else lines[at] = line;
  return `${lines.join("\n")}\n`;
}

/** Adds `names` to the excludepkgs of `<root>/etc/dnf/dnf.conf` (created when missing). */
export async function holdInDnfConf(root: string, names: string[]): Promise<void> {
  const file = path.join(root, "etc/dnf/dnf.conf");
  const text = await readFile(file, "utf8").catch(() => "");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileDurable(file, addExcludes(text, names), 0o644);
}
