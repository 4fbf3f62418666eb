import { type CommandDef, renderUsage, runCommand } from "citty";
import { App } from "./app";
import { buildCommands } from "./commands/index";
import { CliError, EXIT, exitCodeFor } from "./exit-codes";
import { splitArgs } from "./globals";
import { type Io, processIo } from "./io";
import { VERSION } from "./version";

export const GLOBAL_HELP = `Global flags:
  -o, --output <table|json|ndjson|csv>  output format (json is the API's own schema)
  --context <name>                      use this named context (env FLEETGATE_CONTEXT)
  --url <url>                           server URL (env FLEETGATE_URL)
  -y, --yes                             do not ask before destructive actions
  --no-input                            never prompt (implied without a terminal and in CI)
  --no-color                            plain output (also NO_COLOR)
Environment: FLEETGATE_TOKEN overrides stored credentials.
Exit codes: 0 ok, 1 error, 2 usage, 3 job had failed hosts, 4 auth required/denied, 5 not found,
  6 conflict, 7 rate-limited, 124 wait timed out, 130 interrupted.
`;

/** Runs `fleetgate` with argv; returns the exit code. Data goes to stdout, everything else to stderr. */
export async function main(argv: readonly string[], io?: Io): Promise<number> {
  const ac = new AbortController();
  if (!io) {
    // First Ctrl-C: stop waiting/streaming and exit 130; a second one exits at once.
    process.once("SIGINT", () => {
      ac.abort(new CliError("interrupted", EXIT.interrupted));
      process.once("SIGINT", () => process.exit(EXIT.interrupted));
    });
  }
  const theIo = io ?? processIo(ac.signal);
  let split: ReturnType<typeof splitArgs>;
  try {
    split = splitArgs(argv);
  } catch (err) {
    theIo.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.usage;
  }
  const app = new App(theIo, split.globals, split.passthrough);
  // citty colours its usage and errors itself; keep them only when colour is on.
  const plain = (text: string) => (app.colored ? text : stripAnsi(text));
  const root = buildCommands(app);
  if (split.version) {
    theIo.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (split.help || split.args.length === 0) {
    theIo.stderr.write(`${plain(await usageFor(root, split.args))}\n${GLOBAL_HELP}`);
    return split.help ? EXIT.ok : EXIT.usage;
  }
  try {
    await runCommand(root, { rawArgs: split.args });
    return app.exitCode;
  } catch (err) {
    const code = exitCodeFor(err);
    const message = plain(err instanceof Error ? err.message : String(err));
    theIo.stderr.write(`${app.paint("red", "error:")} ${message}\n`);
    if (code === EXIT.usage) theIo.stderr.write(`${plain(await usageFor(root, split.args))}\n`);
    if (code === EXIT.auth && !theIo.env.FLEETGATE_TOKEN) {
      theIo.stderr.write("hint: fleetgate login (or set FLEETGATE_TOKEN)\n");
    }
    return code;
  }
}

/** Usage of the deepest command named in args. */
async function usageFor(root: CommandDef, args: readonly string[]): Promise<string> {
  let cmd: CommandDef = root;
  let parent: CommandDef | undefined;
  for (const a of args) {
    if (a.startsWith("-")) break;
    const subs = typeof cmd.subCommands === "function" ? await cmd.subCommands() : await cmd.subCommands;
    const next = subs?.[a];
    if (!next) break;
    parent = cmd;
    cmd = (typeof next === "function" ? await next() : await next) as CommandDef;
  }
  return renderUsage(cmd, parent);
}

/** Removes ANSI SGR sequences. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
