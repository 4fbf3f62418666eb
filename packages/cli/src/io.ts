/** Where a command reads and writes: the process in production, buffers in tests. */
export interface Io {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string): unknown };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** The real process. */
export function processIo(signal: AbortSignal): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    signal,
  };
}

const CODES = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] };
export type Color = keyof typeof CODES;

/** ANSI styling that is a no-op unless colour is on (a TTY, no NO_COLOR, no --no-color, TERM not dumb). */
export function painter(enabled: boolean) {
  return (color: Color, text: string) => {
    if (!enabled) return text;
    const [open, close] = CODES[color];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };
}
export type Paint = ReturnType<typeof painter>;

/** https://no-color.org: any non-empty NO_COLOR disables colour. */
export function colorEnabled(io: Io, flagNoColor: boolean): boolean {
  if (flagNoColor) return false;
  if (io.env.NO_COLOR) return false;
  if (io.env.TERM === "dumb") return false;
  if (io.env.FORCE_COLOR && io.env.FORCE_COLOR !== "0") return true;
  return io.stderrIsTTY;
}
