import type { Globals } from "./app";
import { UsageError } from "./exit-codes";
import { parseFormat } from "./output";

/** argv split into the global flags, the command's own arguments and what follows `--`. */
export interface SplitArgs {
  globals: Globals;
  args: string[];
  passthrough: string[];
  help: boolean;
  version: boolean;
}

const VALUE_FLAGS: Record<string, "context" | "url" | "output"> = {
  "--context": "context",
  "--url": "url",
  "--output": "output",
  "-o": "output",
};

/**
 * Takes the global flags out of argv wherever they appear (before `--`), so `fleetgate hosts list -o json`
 * and `fleetgate -o json hosts list` mean the same. Everything after `--` is passed through untouched.
 */
export function splitArgs(argv: readonly string[]): SplitArgs {
  const globals: Globals = { noColor: false, yes: false, noInput: false };
  const args: string[] = [];
  let help = false;
  let version = false;
  const dd = argv.indexOf("--");
  const head = dd === -1 ? argv : argv.slice(0, dd);
  const passthrough = dd === -1 ? [] : argv.slice(dd + 1);
  for (let i = 0; i < head.length; i++) {
    const a = head[i] ?? "";
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const key = VALUE_FLAGS[name];
    if (key) {
      const value = name !== a ? a.slice(eq + 1) : head[++i];
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      if (key === "output") globals.output = parseFormat(value);
      else globals[key] = value;
    } else if (a === "--no-color") globals.noColor = true;
    else if (a === "--yes" || a === "-y") globals.yes = true;
    else if (a === "--no-input") globals.noInput = true;
    else if (a === "--help" || a === "-h") help = true;
    else if (a === "--version") version = true;
    else args.push(a);
  }
  return { globals, args, passthrough, help, version };
}
